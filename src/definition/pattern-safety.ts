import { isSafePattern } from 'redos-detector';
import { BoundedCache } from '../utils/bounded-cache.js';

/** A config `pattern` longer than this is refused: checking it for backtracking would cost too much. */
export const MAX_PATTERN_LENGTH = 500;

/** A value longer than this is an issue for a field with a pattern, and the pattern does not run on it. */
export const MAX_PATTERN_INPUT_LENGTH = 10_000;

/*
 * redos-detector walks every way an input could match twice; these bound its work per pattern
 * (a catastrophic pattern is usually found within a few hundred steps). Past a bound, the pattern
 * is refused as too complex to check, never accepted.
 */
const CHECK = { maxSteps: 2000, timeout: 1000 } as const;

const REWRITE =
  'Rewrite it so that each character can match only one way (no nested or overlapping repetition such as (a+)+, (a|a)* or (.*a){20}), e.g. ^[a-z]+$';

/** Answers per pattern: a definition read again (a rescan, a second manager) is not checked again. */
const verdicts = new BoundedCache<string, { problem?: string }>(500);

/**
 * The pattern with named groups as plain groups (`(?<n>` becomes `(`, `\k<n>` its number), which the
 * checker's parser reads; the ways an input can match stay the same.
 */
function withoutGroupNames(pattern: string): string {
  if (!pattern.includes('(?<')) return pattern;
  const names = new Map<string, number>();
  const rewrite = (collect: boolean): string => {
    let groups = 0;
    let inClass = false;
    let out = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i];
      const ahead = pattern.slice(i + 1, i + 66);
      if (c === '\\') {
        const reference = inClass ? null : /^k<([^>]+)>/.exec(ahead);
        out += reference ? `\\${names.get(reference[1]) ?? 0}` : pattern.slice(i, i + 2);
        i += reference ? reference[0].length : 1;
        continue;
      }
      const named = !inClass && c === '(' ? /^\?<([A-Za-z_$][\w$]*)>/.exec(ahead) : null;
      if (inClass) inClass = c !== ']';
      else if (c === '[') inClass = true;
      else if (c === '(' && (named || ahead[0] !== '?')) groups++;
      if (named) {
        if (collect) names.set(named[1], groups);
        i += named[0].length;
      }
      out += c;
    }
    return out;
  };
  rewrite(true);
  return rewrite(false);
}

function judge(pattern: string): string | undefined {
  // Without a quantifier a pattern cannot backtrack more than its own length.
  if (!/[*+?{]/.test(pattern.replace(/\\./g, ''))) return undefined;
  let result: ReturnType<typeof isSafePattern>;
  try {
    result = isSafePattern(withoutGroupNames(pattern), CHECK);
  } catch {
    return 'uses syntax the backtracking check cannot read; simplify it';
  }
  if (result.safe) return undefined;
  if (result.score.infinite) return `can backtrack catastrophically: some inputs make it run for minutes. ${REWRITE}`;
  if (result.error === 'hitMaxScore') return `can backtrack ${result.score.value} ways on one input. ${REWRITE}`;
  return 'is too complex to check for catastrophic backtracking; simplify it (for a list of allowed values, use enum)';
}

/**
 * Why a (syntactically valid) config pattern is refused, or undefined when it is safe to run on
 * every value a field gets.
 */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`;
  let verdict = verdicts.get(pattern);
  if (!verdict) verdicts.set(pattern, (verdict = { problem: judge(pattern) }));
  return verdict.problem;
}
