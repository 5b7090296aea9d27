import { setTimeout as sleep } from 'node:timers/promises';
import type { RouteAttempt } from '../../provider/chat.interface.js';
import type { AbortSource } from '../../utils/linked-abort.js';
import { MAX_TIMER_MS } from '../../utils/time-limits.js';
import { describeThrown, ExtensionError, ExtensionTimeoutError, ProviderError } from '../../errors/index.js';
import type { CircuitBreakers } from './circuit-breakers.js';
import { AttemptTimeoutError, classify, countsAgainstRoute, type FailureKind } from './failures.js';
import type { ResolvedResilience } from './resilience.options.js';
import type { PlannedRoute } from './route-plan.js';

/** One attempt, as the answer's accounting shows it. */
export type Attempt = RouteAttempt;

/** When each attempt began (epoch ms), for its span; kept off the attempt, which answers show as they are. */
const ATTEMPT_STARTS = new WeakMap<Attempt, number>();

export const attemptStart = (attempt: Attempt): number | undefined => ATTEMPT_STARTS.get(attempt);

/** Spacing of attempts on one route: never a third within this many ms of the first. */
export const MIN_SPACING_MS = 1500;
/**
 * An attempt's start is taken before its provider sends anything (the SDK's setup, a new connection),
 * so the provider sees the first request a little later than the router began it: this margin keeps
 * the spacing the provider sees at MIN_SPACING_MS or more.
 */
const SPACING_MARGIN_MS = 50;

/**
 * The bookkeeping of one routed request: its total budget (aborting `signal` when it passes), the
 * attempts made, the first failure (what the caller hears if nothing succeeds), and the breakers.
 */
export class RequestAttempts {
  /** The request's abort (its in-flight call): when the caller's signal aborts, at a drain, or when the total budget passes. Attempts follow it. */
  readonly scope: AbortSource;
  private readonly timer: NodeJS.Timeout;
  private budgetError?: ExtensionTimeoutError;
  private readonly began = Date.now();
  firstError?: ExtensionError;
  lastError?: ExtensionError;
  /** After a context-length failure: only models with a larger context are worth trying. */
  contextFloor?: number;

  constructor(
    readonly options: ResolvedResilience,
    readonly breakers: CircuitBreakers,
    /** The request's in-flight call: its signal is the request's, and the budget aborts it (no controller of its own). */
    private readonly call: AbortSource & { readonly signal: AbortSignal; abort(reason: Error): void },
    readonly list: Attempt[] = [],
  ) {
    this.scope = call;
    this.timer = setTimeout(() => {
      this.budgetPassed = true;
      this.budgetError = new ExtensionTimeoutError(`The request did not finish within its total budget (resilience.totalMs, ${options.totalMs} ms), retries and fallbacks included.`, '', 'total', options.totalMs);
      call.abort(this.budgetError);
    }, options.totalMs);
  }

  get remainingMs(): number {
    return this.budgetOver ? Infinity : this.options.totalMs - (Date.now() - this.began);
  }

  private budgetOver = false;
  /** The total budget passed (not the caller's abort). */
  private budgetPassed = false;

  /**
   * A stream's answer is under way: the total budget was for getting one going, and a long answer that
   * keeps coming must not be cut by it (the attempt time limits still watch every silence).
   */
  answerStarted(): void {
    if (this.budgetOver) return;
    this.budgetOver = true;
    clearTimeout(this.timer);
  }

  /** Records an attempt that failed; returns what it means. */
  failed(route: PlannedRoute, error: ExtensionError, began: number, callerSignal: { readonly aborted: boolean }): FailureKind {
    const kind = this.budgetPassed ? 'timeout' : classify(error, callerSignal);
    this.record({ extension: route.extension, model: route.upstreamModel, outcome: kind, ...(error instanceof ProviderError && error.status !== undefined && { status: error.status }), ms: Date.now() - began }, began);
    // A route that ran out of the request's budget (a fallback given what the others left) is not to blame.
    if (kind === 'aborted' || this.budgetPassed) this.breakers.release(route.key);
    else if (countsAgainstRoute(kind)) this.breakers.failure(route.key, error.message.slice(0, 200));
    else this.breakers.release(route.key);
    this.firstError ??= error;
    this.lastError = error;
    return kind;
  }

  succeeded(route: PlannedRoute, began: number): void {
    this.record({ extension: route.extension, model: route.upstreamModel, outcome: 'ok', ms: Date.now() - began }, began);
    this.breakers.success(route.key);
  }

  /** An attempt that ended with no verdict (a stream its consumer left): recorded, and its breaker's probe released. */
  abandoned(route: PlannedRoute, began: number): void {
    this.record({ extension: route.extension, model: route.upstreamModel, outcome: 'aborted', ms: Date.now() - began }, began);
    this.breakers.release(route.key);
  }

  skipped(route: PlannedRoute): void {
    this.record({ extension: route.extension, model: route.upstreamModel, outcome: 'skipped', ms: 0 }, Date.now());
  }

  private record(attempt: Attempt, began: number): void {
    this.list.push(attempt);
    ATTEMPT_STARTS.set(attempt, began);
  }

  /**
   * The wait before retry number `retry` (1, 2, ...): exponential with jitter, at least what the
   * provider asked (a Retry-After that is not a finite number of ms >= 0 is ignored).
   */
  backoff(retry: number, retryAfterMs: number | undefined, previousStarts: number[]): number {
    const { backoffMs, maxBackoffMs } = this.options;
    const exponential = Math.min(maxBackoffMs, backoffMs * 2 ** (retry - 1)) * (1 + Math.random() * 0.25);
    const spacing = previousStarts.length >= 2 ? previousStarts.at(-2)! + MIN_SPACING_MS + SPACING_MARGIN_MS - Date.now() : 0;
    const asked = typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs >= 0 ? retryAfterMs : 0;
    return Math.max(exponential, asked, spacing);
  }

  /**
   * The longest wait worth a retry on `route`: the budget left; once a stream's answer has begun (the
   * budget is over), the route's idle limit, since the caller is waiting mid-answer.
   */
  waitLimitMs(route: PlannedRoute): number {
    const limit = this.budgetOver ? this.options.timeoutsFor(route.extension, route.upstreamModel).idleMs : this.remainingMs;
    return Math.min(limit, MAX_TIMER_MS);
  }

  /** Waits, or rejects when the request's signal aborts. */
  async wait(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.call.signal }).catch(() => {
      throw this.call.reason;
    });
  }

  end(): void {
    clearTimeout(this.timer);
  }

  /** Why the request failed: the budget, else the first failure (a fallback's own refusal must not hide it). */
  failure(): ExtensionError {
    if (this.budgetError) return this.budgetError;
    if (this.firstError) return this.firstError;
    const skipped = this.list.filter((a) => a.outcome === 'skipped').map((a) => `${a.extension}:${a.model}`);
    if (skipped.length) {
      return new ProviderError(
        `Every route's circuit breaker is open (${skipped.join(', ')}): they failed too often and are skipped for now; a probe request tries them again after the cool-down (resilience.breaker.coolDownMs).`,
        this.list[0].extension,
        { status: 503, providerCode: 'circuit_open' },
      );
    }
    return new ProviderError('No route could serve the request.', undefined);
  }
}

/** Rejects with an AttemptTimeoutError after `ms`, aborting `controller`; `clear()` stops it. */
export function attemptTimer(controller: { abort(reason: unknown): void }, ms: number, route: PlannedRoute, what: string, option: string) {
  const timer = setTimeout(() => {
    const error = new AttemptTimeoutError(`Extension "${route.extension}" (model ${route.upstreamModel}) ${what} within ${ms} ms (resilience.timeouts.${option}); the attempt was aborted.`, route.extension, option, ms);
    controller.abort(error);
  }, ms);
  return { clear: () => clearTimeout(timer) };
}

/**
 * The idle limit of a stream: aborts `controller` when the provider has been waited on for `ms` without
 * a chunk. Time the consumer spends on a chunk does not count. One timer for the whole attempt: each
 * chunk only notes the time, and the timer, when it fires, waits again for what is left.
 */
export function idleWatch(controller: { abort(reason: unknown): void }, ms: number, route: PlannedRoute) {
  let since: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    timer = undefined;
    if (since === undefined) return;
    const left = ms - (performance.now() - since);
    if (left > 1) return void (timer = setTimeout(check, left));
    controller.abort(new AttemptTimeoutError(`Extension "${route.extension}" (model ${route.upstreamModel}) went silent within ${ms} ms (resilience.timeouts.idleMs); the attempt was aborted.`, route.extension, 'idleMs', ms));
  };
  return {
    /** Waiting on the provider from now. */
    waiting: () => {
      since = performance.now();
      timer ??= setTimeout(check, ms);
    },
    /** A chunk came (or the wait ended). */
    received: () => void (since = undefined),
    clear: () => clearTimeout(timer),
  };
}

/** What a provider threw, as an ExtensionError naming the extension. */
export function asExtensionError(error: unknown, extension: string): ExtensionError {
  if (error instanceof ExtensionError) return error;
  return new ProviderError(`Extension "${extension}" failed: ${describeThrown(error)}`, extension, {}, { cause: error });
}
