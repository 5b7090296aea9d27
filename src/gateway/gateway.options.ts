import { ExtensionConfigError } from '../errors/index.js';
import { timeLimitProblem } from '../utils/time-limits.js';
import { resolveAccess, type AccessOptions, type ResolvedAccess } from './access/access.options.js';

/** Options of `OpenAiGatewayModule.register()`. */
export interface GatewayOptions {
  /** Path prefix of the OpenAI-compatible endpoints. Default `'v1'`. */
  path?: string;
  /**
   * How long one call may wait for the provider, in ms: the whole answer, or for a stream the wait for
   * each next chunk. Past it the call is aborted and answers 504. Default 60000.
   */
  timeoutMs?: number;
  /**
   * API keys, per-key limits and budgets, and where their counters live (memory, or Redis shared by
   * every replica). Unset: the gateway is open and nothing is checked.
   */
  access?: AccessOptions;
}

export interface ResolvedGatewayOptions {
  path: string;
  timeoutMs: number;
  access?: ResolvedAccess;
}

export const GATEWAY_OPTIONS = Symbol.for('gleitzeit.gateway/options');

export function resolveGatewayOptions(options: GatewayOptions = {}): ResolvedGatewayOptions {
  const resolved: ResolvedGatewayOptions = { path: options.path ?? 'v1', timeoutMs: options.timeoutMs ?? 60_000 };
  const problem = timeLimitProblem(resolved.timeoutMs);
  if (problem) throw new ExtensionConfigError(`Invalid OpenAiGatewayModule options: timeoutMs ${problem}`, undefined, [{ field: 'timeoutMs', message: problem }]);
  if (typeof resolved.path !== 'string') throw new ExtensionConfigError('Invalid OpenAiGatewayModule options: path must be a string such as "v1"', undefined, [{ field: 'path', message: 'must be a string' }]);
  if (options.access !== undefined) resolved.access = resolveAccess(options.access, resolved.path);
  return resolved;
}
