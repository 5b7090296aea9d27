import type { ModelInfo } from '../definition/definition.interface.js';
import type { ExtensionRecord } from '../manager/manager.interface.js';
import type { MatchKind } from './routing.interface.js';

/** One model of one extension, with what routing compares. */
export interface Candidate {
  extension: string;
  model: ModelInfo;
  /** The model's capabilities plus its extension's. */
  capabilities: Set<string>;
  record: ExtensionRecord;
}

export interface Match {
  candidate: Candidate;
  kind: MatchKind;
}

interface Pattern {
  regex: RegExp;
  /** Literal characters: more is more specific. */
  specificity: number;
  candidates: Candidate[];
}

const isPattern = (name: string) => /[*?]/.test(name);

function compilePattern(name: string): RegExp {
  const body = name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Priority (higher first), then cost per token (lower first), then discovery order. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    b.model.priority - a.model.priority ||
    (a.model.costPerToken ?? Infinity) - (b.model.costPerToken ?? Infinity) ||
    a.record.order - b.record.order
  );
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Lookup tables over a set of extensions: exact names, aliases and `extension:model` ids are hash
 * hits; wildcard patterns are scanned and their answers cached.
 */
export class RoutingTable {
  private readonly exact = new Map<string, Candidate[]>();
  private readonly alias = new Map<string, Candidate[]>();
  private readonly records = new Map<string, ExtensionRecord>();
  /** One small table per extension for `extension:model` ids, built on first use. */
  private readonly byExtension = new Map<string, RoutingTable>();
  private readonly patterns: Pattern[] = [];
  private readonly patternCache = new Map<string, Match[]>();
  readonly candidates: Candidate[] = [];

  constructor(records: ExtensionRecord[]) {
    for (const record of records) {
      const own = record.definition.capabilities;
      for (const model of record.definition.models) {
        this.candidates.push({ extension: record.definition.name, model, capabilities: new Set([...model.capabilities, ...own]), record });
      }
      this.records.set(record.definition.name, record);
    }
    this.candidates.sort(compareCandidates);
    const patterns = new Map<string, Pattern>();
    for (const candidate of this.candidates) {
      const { name, aliases } = candidate.model;
      if (isPattern(name)) {
        const pattern = patterns.get(name) ?? { regex: compilePattern(name), specificity: name.replace(/[*?]/g, '').length, candidates: [] };
        pattern.candidates.push(candidate);
        patterns.set(name, pattern);
      } else push(this.exact, name, candidate);
      for (const alias of aliases) push(this.alias, alias, candidate);
    }
    this.patterns = [...patterns.values()].sort((a, b) => b.specificity - a.specificity);
  }

  /** Every candidate for a model name, best first: exact, then alias, then `ext:model`, then patterns. */
  lookup(model: string): Match[] {
    const exact = this.exact.get(model);
    if (exact) return exact.map((candidate) => ({ candidate, kind: 'exact' as const }));
    const alias = this.alias.get(model);
    if (alias) return alias.map((candidate) => ({ candidate, kind: 'alias' as const }));
    const qualified = this.qualified(model);
    if (qualified.length) return qualified;
    return this.matchPatterns(model);
  }

  /** Model names served by more than one extension. */
  conflicts(): Map<string, string[]> {
    const result = new Map<string, string[]>();
    for (const [name, list] of this.exact) {
      const extensions = [...new Set(list.map((c) => c.extension))];
      if (extensions.length > 1) result.set(name, extensions);
    }
    return result;
  }

  private qualified(model: string): Match[] {
    const separator = /[:/]/.exec(model);
    const record = separator ? this.records.get(model.slice(0, separator.index)) : undefined;
    if (!separator || !record) return [];
    let table = this.byExtension.get(record.definition.name);
    if (!table) this.byExtension.set(record.definition.name, (table = new RoutingTable([record])));
    return table.lookup(model.slice(separator.index + 1)).map((match) => ({ candidate: match.candidate, kind: 'qualified' as const }));
  }

  private matchPatterns(model: string): Match[] {
    const cached = this.patternCache.get(model);
    if (cached) return cached;
    const matches = this.patterns
      .filter((pattern) => pattern.regex.test(model))
      .flatMap((pattern) => pattern.candidates.map((candidate) => ({ candidate, kind: 'pattern' as const })));
    if (this.patternCache.size > 10_000) this.patternCache.clear();
    this.patternCache.set(model, matches);
    return matches;
  }
}
