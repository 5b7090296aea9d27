import type { ExtensionDefinition, ModelInfo } from '../definition/definition.interface.js';

/** One extension as the router sees it: its definition, its state and what callers get. */
export interface RoutableExtension {
  readonly definition: ExtensionDefinition;
  /** Only `loaded` and `started` extensions route. */
  readonly state: string;
  /** Position in discovery order; the last tie-breaker. */
  readonly order: number;
  /** What `route()` returns as `instance`. */
  readonly handle: unknown;
  readonly error?: { message: string };
  /** Models the extension added at run time (checked, literal names); they route like declared ones. */
  readonly runtimeModels?: readonly ModelInfo[];
}

/** The narrow view the router reads: every extension, and a version that changes with any transition. */
export interface RoutingSource {
  readonly version: number;
  extensions(): readonly RoutableExtension[];
}

/** A model as `getAvailableModels()` lists it: the serving extension and the model's facts. */
export interface AvailableModel {
  extension: string;
  capabilities: string[];
  maxTokens?: number;
  costPerToken?: number;
  aliases: string[];
  priority: number;
  [extra: string]: unknown;
}

/** Options of `route()` and `explain()`. */
export interface RouteOptions {
  /** Every one of these must be a capability of the model or of its extension. */
  capabilities?: string[];
}

/** How a request named a model. */
export type MatchKind = 'exact' | 'alias' | 'qualified' | 'pattern';

/** The answer of `route()`. */
export interface RouteResult {
  extension: string;
  /** The model entry that matched (for a pattern, the pattern's entry). */
  model: ModelInfo;
  /** How the name matched: `exact`, `alias`, `qualified` (`ext:model`) or `pattern`. */
  match: MatchKind;
  /**
   * The model name to send to the provider: an alias or a qualified id resolves to the model's own
   * name; a name matched by a pattern is sent as asked.
   */
  upstreamModel: string;
  /** A stable handle to the extension's instance (see `manager.getHandle()`). */
  instance: unknown;
}

/** One candidate in `explain()`: why it was chosen or rejected. */
export interface RouteCandidate {
  extension: string;
  model: string;
  match: MatchKind;
  state: string;
  priority: number;
  costPerToken?: number;
  missingCapabilities: string[];
  /** The route's circuit breaker, when it is not closed (`open`: chat calls skip it; `half-open`: one probe may pass). */
  breaker?: 'open' | 'half-open';
  chosen: boolean;
  reason: string;
}

/** The answer of `explain()`. */
export interface RouteExplanation {
  model: string;
  capabilities: string[];
  chosen?: { extension: string; model: string };
  candidates: RouteCandidate[];
}
