import type { ModelInfo } from '../definition/definition.interface.js';

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

/** The answer of `route()`. */
export interface RouteResult {
  extension: string;
  model: ModelInfo;
  instance: unknown;
}

/** How a request named a model. */
export type MatchKind = 'exact' | 'alias' | 'qualified' | 'pattern';

/** One candidate in `explain()`: why it was chosen or rejected. */
export interface RouteCandidate {
  extension: string;
  model: string;
  match: MatchKind;
  state: string;
  priority: number;
  costPerToken?: number;
  missingCapabilities: string[];
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
