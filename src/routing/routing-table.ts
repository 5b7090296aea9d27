import type { ModelInfo } from '../definition/definition.interface.js';
import { BoundedCache } from '../utils/bounded-cache.js';
import { globMatch } from '../utils/glob.js';
import type { MatchKind, RoutableExtension, RouteResult } from './routing.interface.js';

/** One model of one extension, with what routing compares. */
export interface Candidate {
  extension: string;
  model: ModelInfo;
  /** The model's capabilities plus its extension's. */
  capabilities: Set<string>;
  record: RoutableExtension;
}

export interface Match {
  candidate: Candidate;
  kind: MatchKind;
  /** The model name to send upstream. */
  upstreamModel: string;
}

interface Pattern {
  name: string;
  /** Literal characters: more is more specific. */
  specificity: number;
  candidates: Candidate[];
}

/** Pattern answers kept per table; the oldest go first, so what clients send cannot grow memory. */
const PATTERN_CACHE_SIZE = 1000;
const NO_MATCH: Match[] = [];

const isPattern = (name: string) => /[*?]/.test(name);

/** Priority (higher first), then cost per token (lower first), then discovery order. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    b.model.priority - a.model.priority ||
    (a.model.costPerToken ?? Infinity) - (b.model.costPerToken ?? Infinity) ||
    a.record.order - b.record.order
  );
}

/** Every model of an extension: the declared ones, then those it added at run time. */
export const modelsOf = (record: RoutableExtension): readonly ModelInfo[] =>
  record.runtimeModels?.length ? [...record.definition.models, ...record.runtimeModels] : record.definition.models;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Lookup tables over a set of extensions: exact names, aliases and `extension:model` ids are hash
 * hits; wildcard patterns are scanned and their answers cached (bounded).
 */
export class RoutingTable {
  private readonly exact = new Map<string, Candidate[]>();
  private readonly alias = new Map<string, Candidate[]>();
  /** Exact, alias and qualified names to their answers (see buildDirect). */
  private readonly direct = new Map<string, Match[]>();
  /**
   * Direct names' first answers as routes, their fields gathered in one object: a lookup by name then
   * reads one object, not a match, its candidate and its record (on a fast CPU the dependent reads were
   * most of a lookup's cost). Bounded by the direct names; copied for each caller.
   */
  private readonly firstRoutes = new Map<string, Readonly<RouteResult>>();
  private readonly records = new Map<string, RoutableExtension>();
  /** One small table per extension for `extension:model` ids, built on first use. */
  private readonly byExtension = new Map<string, RoutingTable>();
  private readonly patterns: Pattern[] = [];
  private readonly patternCache = new BoundedCache<string, Match[]>(PATTERN_CACHE_SIZE);
  readonly candidates: Candidate[] = [];

  /**
   * @param knownNames every extension name, routable or not: `name:model` with a known name is a
   * qualified id and never falls through to another extension's pattern.
   */
  constructor(
    records: readonly RoutableExtension[],
    private readonly knownNames: ReadonlySet<string> = new Set(records.map((r) => r.definition.name)),
  ) {
    for (const record of records) {
      const own = record.definition.capabilities;
      for (const model of modelsOf(record)) {
        this.candidates.push({ extension: record.definition.name, model, capabilities: new Set([...model.capabilities, ...own]), record });
      }
      this.records.set(record.definition.name, record);
    }
    this.candidates.sort(compareCandidates);
    const patterns = new Map<string, Pattern>();
    for (const candidate of this.candidates) {
      const { name, aliases } = candidate.model;
      if (isPattern(name)) {
        const pattern = patterns.get(name) ?? { name, specificity: name.replace(/[*?]/g, '').length, candidates: [] };
        pattern.candidates.push(candidate);
        patterns.set(name, pattern);
      } else push(this.exact, name, candidate);
      for (const alias of aliases) push(this.alias, alias, candidate);
    }
    this.patterns = [...patterns.values()].sort((a, b) => b.specificity - a.specificity);
    this.buildDirect();
  }

  /**
   * One map for every name that is a hash hit, its answer built once: exact names, then aliases, then
   * `extension:model` and `extension/model` for each extension's names and aliases (a name the earlier
   * kinds already hold keeps their answer). The arrays are shared: callers read them, never change them.
   */
  private buildDirect(): void {
    const answer = (list: Candidate[], kind: MatchKind) => list.map((candidate) => ({ candidate, kind, upstreamModel: candidate.model.name }));
    for (const [name, list] of this.exact) this.direct.set(name, answer(list, 'exact'));
    for (const [name, list] of this.alias) if (!this.direct.has(name)) this.direct.set(name, answer(list, 'alias'));
    const qualified = new Map<string, Candidate[]>();
    const byName = new Set<string>();
    for (const pass of ['names', 'aliases'] as const) {
      for (const candidate of this.candidates) {
        const names = pass === 'names' ? (isPattern(candidate.model.name) ? [] : [candidate.model.name]) : candidate.model.aliases;
        for (const name of names) {
          for (const key of [`${candidate.extension}:${name}`, `${candidate.extension}/${name}`]) {
            // Within an extension a model's own name wins over another model's alias.
            if (pass === 'aliases' && byName.has(key)) continue;
            if (pass === 'names') byName.add(key);
            push(qualified, key, candidate);
          }
        }
      }
    }
    for (const [key, list] of qualified) if (!this.direct.has(key)) this.direct.set(key, answer(list, 'qualified'));
  }

  /**
   * The best route for a name that is a hash hit (exact, alias, qualified), with no capability asked
   * for; built on the name's first lookup (a table built during boot and never routed through costs nothing).
   */
  firstRoute(model: string): Readonly<RouteResult> | undefined {
    const known = this.firstRoutes.get(model);
    if (known) return known;
    const first = this.direct.get(model)?.[0];
    if (!first) return undefined;
    const { candidate, kind, upstreamModel } = first;
    const route = { extension: candidate.extension, model: candidate.model, match: kind, upstreamModel, instance: candidate.record.handle };
    this.firstRoutes.set(model, route);
    return route;
  }

  /** Every candidate for a model name, best first: exact, then alias, then `ext:model`, then patterns. */
  lookup(model: string): Match[] {
    const direct = this.direct.get(model);
    if (direct) return direct;
    // `ext:model` that only a pattern of that extension matches.
    const separator = model.search(/[:/]/);
    if (separator > 0 && this.knownNames.has(model.slice(0, separator))) return this.qualified(model.slice(0, separator), model.slice(separator + 1));
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

  /** Every name a client can use: model names and aliases. */
  names(): string[] {
    return [...this.exact.keys(), ...this.alias.keys(), ...this.patterns.map((p) => p.candidates[0].model.name)];
  }

  private qualified(extension: string, model: string): Match[] {
    const record = this.records.get(extension);
    if (!record) return NO_MATCH;
    let table = this.byExtension.get(extension);
    if (!table) this.byExtension.set(extension, (table = new RoutingTable([record], new Set())));
    return table.lookup(model).map((match) => ({ ...match, kind: 'qualified' as const }));
  }

  private matchPatterns(model: string): Match[] {
    const cached = this.patternCache.get(model);
    if (cached) return cached;
    const matches: Match[] = [];
    for (const pattern of this.patterns) {
      if (!globMatch(pattern.name, model)) continue;
      for (const candidate of pattern.candidates) matches.push({ candidate, kind: 'pattern', upstreamModel: model });
    }
    const result = matches.length ? matches : NO_MATCH;
    // Only names that match are worth keeping; unknown names cost a scan, not memory.
    if (result !== NO_MATCH) this.patternCache.set(model, result);
    return result;
  }
}
