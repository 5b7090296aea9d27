import type { ExtensionIssue } from '../../errors/index.js';
import { timeLimitProblem } from '../../utils/time-limits.js';

/*
 * What the router does when a provider misbehaves: retries, time limits, fallbacks and circuit
 * breakers. Every field has a default; `ExtensionsModule.forRoot({ resilience })` sets them.
 */

/** Time limits of one attempt, in ms. */
export interface AttemptTimeouts {
  /**
   * Until the provider's answer begins: for a plain call the whole answer, for a stream its first chunk
   * of any kind (the provider's response headers came). Default 30000.
   */
  responseMs?: number;
  /** Streams: until the first content or tool-call delta. Default 30000. */
  firstTokenMs?: number;
  /** Streams: the longest silence between two chunks. Default 30000. */
  idleMs?: number;
}

export interface CircuitBreakerOptions {
  /** Failures in a row (retryable errors, timeouts) that open a route's breaker. Default 5. */
  failures?: number;
  /** How long an open breaker skips its route before one probe request may try it. Default 5000. */
  coolDownMs?: number;
}

export interface ResilienceOptions {
  /** Further attempts on the same route after a transient error (429, 5xx, a connection reset). Default 2. */
  retries?: number;
  /** Wait before the first retry; each next one doubles (plus up to 25% jitter), capped by `maxBackoffMs`. Default 500. */
  backoffMs?: number;
  /** Default 8000. */
  maxBackoffMs?: number;
  /**
   * The whole request, every attempt and wait included; for a stream, until its answer begins (a long
   * answer that keeps coming is watched by `idleMs`, not cut). Default 60000.
   */
  totalMs?: number;
  /** Attempt time limits for every route. */
  timeouts?: AttemptTimeouts;
  /** Per extension, over `timeouts`. */
  extensionTimeouts?: Record<string, AttemptTimeouts>;
  /** Per model (the provider's model name), over the extension's. */
  modelTimeouts?: Record<string, AttemptTimeouts>;
  /** Fallback chains: a model name (as clients send it) to the names to try next, in order. */
  fallbacks?: Record<string, string[]>;
  /** With no chain, try the other extensions that serve the same model, in ranking order. Default true. */
  sameModelFallback?: boolean;
  /** Fail over when a provider refuses on content policy (`content_filter`). Default false: the caller gets the refusal. */
  failoverOnContentPolicy?: boolean;
  /** Circuit breakers per extension and model; `false` turns them off. */
  breaker?: CircuitBreakerOptions | false;
}

export const DEFAULT_ATTEMPT_TIMEOUTS: Required<AttemptTimeouts> = { responseMs: 30_000, firstTokenMs: 30_000, idleMs: 30_000 };

export const RESILIENCE_DEFAULTS = {
  retries: 2,
  backoffMs: 500,
  maxBackoffMs: 8000,
  totalMs: 60_000,
  sameModelFallback: true,
  failoverOnContentPolicy: false,
  breaker: { failures: 5, coolDownMs: 5000 },
} as const;

/** The options with every default filled in, as the router reads them. */
export interface ResolvedResilience {
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
  totalMs: number;
  fallbacks: Record<string, string[]>;
  sameModelFallback: boolean;
  failoverOnContentPolicy: boolean;
  breaker: Required<CircuitBreakerOptions> | false;
  timeoutsFor(extension: string, model: string): Required<AttemptTimeouts>;
}

const own = <T>(record: Record<string, T> | undefined, key: string): T | undefined => (record && Object.hasOwn(record, key) ? record[key] : undefined);

export function resolveResilience(options: ResilienceOptions = {}): ResolvedResilience {
  const d = RESILIENCE_DEFAULTS;
  const common: Required<AttemptTimeouts> = Object.freeze({ ...DEFAULT_ATTEMPT_TIMEOUTS, ...options.timeouts });
  return {
    retries: options.retries ?? d.retries,
    backoffMs: options.backoffMs ?? d.backoffMs,
    maxBackoffMs: options.maxBackoffMs ?? d.maxBackoffMs,
    totalMs: options.totalMs ?? d.totalMs,
    fallbacks: options.fallbacks ?? {},
    sameModelFallback: options.sameModelFallback ?? d.sameModelFallback,
    failoverOnContentPolicy: options.failoverOnContentPolicy ?? d.failoverOnContentPolicy,
    breaker: options.breaker === false ? false : { ...d.breaker, ...options.breaker },
    timeoutsFor: (extension, model) => {
      // Most apps set no per-extension or per-model limits: one object for every attempt.
      if (!options.extensionTimeouts && !options.modelTimeouts) return common;
      return { ...common, ...own(options.extensionTimeouts, extension), ...own(options.modelTimeouts, model) };
    },
  };
}

const TIMEOUT_FIELDS: (keyof AttemptTimeouts)[] = ['responseMs', 'firstTokenMs', 'idleMs'];

function timeoutIssues(value: unknown, at: string, issues: ExtensionIssue[]): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return void issues.push({ field: at, message: 'must be an object such as { responseMs: 30000 }' });
  for (const [key, ms] of Object.entries(value)) {
    if (!TIMEOUT_FIELDS.includes(key as keyof AttemptTimeouts)) issues.push({ field: `${at}.${key}`, message: `is not a time limit; use ${TIMEOUT_FIELDS.join(', ')}` });
    else if (ms !== undefined && timeLimitProblem(ms)) issues.push({ field: `${at}.${key}`, message: timeLimitProblem(ms)! });
  }
}

function byNameIssues(value: unknown, at: string, issues: ExtensionIssue[], each: (entry: unknown, field: string) => void): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return void issues.push({ field: at, message: 'must be an object keyed by name' });
  for (const [name, entry] of Object.entries(value)) each(entry, `${at}.${name}`);
}

/** Every problem with `resilience` options, each naming its field (empty when they are fine). */
export function resilienceIssues(options: unknown, at = 'resilience'): ExtensionIssue[] {
  const issues: ExtensionIssue[] = [];
  if (options === undefined) return issues;
  if (options === null || typeof options !== 'object') return [{ field: at, message: 'must be an object' }];
  const o = options as Record<string, unknown>;
  if (o.retries !== undefined && !(Number.isInteger(o.retries) && (o.retries as number) >= 0 && (o.retries as number) <= 10)) issues.push({ field: `${at}.retries`, message: 'must be an integer from 0 to 10' });
  for (const key of ['backoffMs', 'maxBackoffMs'] as const) {
    if (o[key] !== undefined && timeLimitProblem(o[key], true)) issues.push({ field: `${at}.${key}`, message: timeLimitProblem(o[key], true)! });
  }
  if (o.totalMs !== undefined && timeLimitProblem(o.totalMs)) issues.push({ field: `${at}.totalMs`, message: timeLimitProblem(o.totalMs)! });
  timeoutIssues(o.timeouts, `${at}.timeouts`, issues);
  byNameIssues(o.extensionTimeouts, `${at}.extensionTimeouts`, issues, (entry, field) => timeoutIssues(entry, field, issues));
  byNameIssues(o.modelTimeouts, `${at}.modelTimeouts`, issues, (entry, field) => timeoutIssues(entry, field, issues));
  byNameIssues(o.fallbacks, `${at}.fallbacks`, issues, (entry, field) => {
    if (!Array.isArray(entry) || !entry.every((name) => typeof name === 'string')) issues.push({ field, message: 'must be a list of model names' });
  });
  for (const key of ['sameModelFallback', 'failoverOnContentPolicy'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') issues.push({ field: `${at}.${key}`, message: 'must be true or false' });
  }
  const breaker = o.breaker as Record<string, unknown> | false | undefined;
  if (breaker !== undefined && breaker !== false) {
    if (breaker === null || typeof breaker !== 'object') issues.push({ field: `${at}.breaker`, message: 'must be false or { failures, coolDownMs }' });
    else {
      if (breaker.failures !== undefined && !(Number.isInteger(breaker.failures) && (breaker.failures as number) >= 1)) issues.push({ field: `${at}.breaker.failures`, message: 'must be an integer of at least 1' });
      if (breaker.coolDownMs !== undefined && timeLimitProblem(breaker.coolDownMs)) issues.push({ field: `${at}.breaker.coolDownMs`, message: timeLimitProblem(breaker.coolDownMs)! });
    }
  }
  return issues;
}
