import semver from 'semver';
import type { PackageRequirement } from './definition.interface.js';

const NAME = /^((?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*)(.*)$/i;
const PIP_OPERATOR = /^(~=|===|==|!=|<=|>=|<|>)\s*(.*)$/;
const VERSION = /^\d+(\.\d+){0,2}$/;
/** Each != doubles the alternatives of the range; more than this many is refused. */
const MAX_EXCLUSIONS = 4;
const USAGE = 'write pkg, pkg@^1.2 (npm), pkg>=1.2,<2 or pkg~=1.4 (pip) or @scope/pkg@~2';

type Read<T> = T | { problem: string };

/** 1.2 as 1.2.0. */
const full = (version: string) => [...version.split('.'), '0', '0'].slice(0, 3).join('.');

/** The version prefix one up in its last part: 1.4 -> 1.5, 1 -> 2. */
function bump(parts: string[]): string {
  return [...parts.slice(0, -1), String(Number(parts[parts.length - 1]) + 1)].join('.');
}

/**
 * One pip comparator as semver alternatives (only != has two: below or above), keeping pip's
 * meaning. Prereleases count (checkPackages passes includePrerelease), so exclusive upper bounds end
 * in -0: `<2` is semver for `<2.0.0-0`.
 */
function pipComparator(op: string, version: string): Read<{ alternatives: string[] }> {
  if (version.endsWith('.*')) {
    const prefix = version.slice(0, -2);
    if (op !== '==' && op !== '!=') return { problem: 'a wildcard (.*) only goes with == or !=' };
    if (!/^\d+(\.\d+)?$/.test(prefix)) return { problem: `"${version}" is not a wildcard version such as 1.* or 1.2.*` };
    const [low, high] = [`${full(prefix)}-0`, `${full(bump(prefix.split('.')))}-0`];
    return { alternatives: op === '==' ? [`${prefix}.x`] : [`<${low}`, `>=${high}`] };
  }
  if (!VERSION.test(version)) return { problem: `"${version}" is not a version of numbers such as 1.2 or 1.2.3` };
  const parts = version.split('.');
  switch (op) {
    case '~=':
      // Compatible release: ~=1.4 is >=1.4,==1.*; ~=1.4.2 is >=1.4.2,==1.4.*.
      if (parts.length < 2) return { problem: '~= needs at least two version parts, e.g. x~=1.4' };
      return { alternatives: [`>=${version} <${bump(parts.slice(0, -1))}`] };
    case '===':
      if (parts.length < 3) return { problem: `=== compares the exact version: write all three parts, e.g. x===${full(version)}` };
      return { alternatives: [`=${version}`] };
    case '==':
      return { alternatives: [`=${full(version)}`] };
    case '!=':
      return { alternatives: [`<${full(version)}`, `>${full(version)}`] };
    case '<':
      return { alternatives: [parts.length === 3 ? `<${version}-0` : `<${version}`] };
    case '>=':
      return { alternatives: [`>=${version}`] };
    default: // <= and >: semver reads a partial version there as a whole minor or major (x-range); pip does not.
      return { alternatives: [`${op}${full(version)}`] };
  }
}

/** Pip comparators separated by commas, intersected; a != splits the range into alternatives (||). */
function pipRange(name: string, text: string): Read<{ range: string }> {
  if (/^(\^|~(?!=)|=(?!=))/.test(text)) return { problem: `npm ranges go after @ (${name}@${text})` };
  const comparators = text.split(',').map((c) => c.trim());
  if (comparators.filter((c) => c.startsWith('!=')).length > MAX_EXCLUSIONS) {
    return { problem: `use at most ${MAX_EXCLUSIONS} != comparators, or an npm range after @` };
  }
  let sets: string[][] = [[]];
  for (const comparator of comparators) {
    const match = PIP_OPERATOR.exec(comparator);
    if (!match) return { problem: comparator === '' ? 'has an empty comparator between commas' : USAGE };
    const [, op, version] = match;
    if (/\s/.test(version)) {
      const spaced = text.replace(/\s*([<>=!~]+)\s*/g, ' $1').trim();
      return { problem: `separate pip comparators with commas (${name}${spaced.replace(/\s+/g, ',')}), or write an npm range after @ (${name}@${spaced})` };
    }
    const read = pipComparator(op, version);
    if ('problem' in read) return read;
    sets = sets.flatMap((set) => read.alternatives.map((alternative) => [...set, alternative]));
  }
  return { range: sets.map((set) => set.join(' ')).join(' || ') };
}

/**
 * Reads an npm specifier (`pkg`, `pkg@^1.2`, `@scope/pkg@~2`: npm's meaning) or a pip-style one
 * (`pkg>=1.2,<2`, `pkg==1.2`, `pkg==1.2.*`, `pkg~=1.4`, `pkg!=1.5`: pip's meaning, as a semver range).
 * Says what is wrong when it cannot.
 */
export function readPackageSpec(spec: string): Read<PackageRequirement> {
  const match = NAME.exec(spec.trim());
  if (!match) return { problem: USAGE };
  const [, name, rest] = match;
  const text = rest.trim();
  let range = '*';
  if (text.startsWith('@')) {
    range = text.slice(1).trim() || '*';
    if (semver.validRange(range) === null) return { problem: `"${range}" is not an npm version range such as ^1.2 or >=1 <2` };
  } else if (text !== '') {
    if (!/^[<>=~^!]/.test(text)) return { problem: USAGE };
    const read = pipRange(name, text);
    if ('problem' in read) return read;
    range = read.range;
    if (semver.validRange(range) === null) return { problem: USAGE };
  }
  return { spec, name, range };
}

/** The requirement, or undefined when the name or the range is not valid (readPackageSpec says why). */
export function parsePackageSpec(spec: string): PackageRequirement | undefined {
  const read = readPackageSpec(spec);
  return 'problem' in read ? undefined : read;
}
