import { LinkedAbort, signalOptions, type AbortSource } from '../../utils/linked-abort.js';
import type { ChatProvider, ChatRequest, ChatResponse, ProviderChatResponse } from '../../provider/chat.interface.js';
import type { InFlightCall } from '../in-flight-calls.js';
import { raceSignal } from '../../utils/race-signal.js';
import { asExtensionError, attemptTimer, RequestAttempts, type Attempt } from './attempts.js';
import type { CircuitBreakers } from './circuit-breakers.js';
import type { FailureKind } from './failures.js';
import type { ResolvedResilience } from './resilience.options.js';
import type { PlannedRoute } from './route-plan.js';

/** What a routed request needs: its routes, the options, the breakers, and the in-flight call it runs as. */
export interface ResilientContext {
  routes: PlannedRoute[];
  options: ResolvedResilience;
  breakers: CircuitBreakers;
  call: InFlightCall;
  /** The caller's own signal: its abort ends the request rather than failing over. */
  callerSignal: AbortSource;
  /** Resolves a route's provider, or throws UnsupportedOperationError. */
  provider(route: PlannedRoute, operation: 'chat' | 'chatStream'): ChatProvider;
}

/** An error the router gives up with carries every attempt it made. */
export type WithAttempts<E> = E & { attempts?: Attempt[] };

/** The request a provider gets: its own model name, and nothing of the router's own fields. */
export function forRoute(request: ChatRequest, route: PlannedRoute): ChatRequest {
  const { fallbacks: _fallbacks, ...rest } = request;
  return { ...rest, model: route.upstreamModel };
}

/**
 * What to do after a failed attempt on route number `index`: `retry` it, `next` route, or `stop` (the
 * error goes to the caller). A fallback's own refusal (a 400 of its own) moves on, so the caller hears
 * the first failure, not the last.
 */
export function decide(kind: FailureKind, index: number, retry: number, options: ResolvedResilience): 'retry' | 'next' | 'stop' {
  if (kind === 'aborted') return 'stop';
  if (kind === 'caller') return index === 0 ? 'stop' : 'next';
  if (kind === 'policy') return options.failoverOnContentPolicy ? 'next' : 'stop';
  if (kind === 'transient' && retry < options.retries) return 'retry';
  return 'next';
}

async function attemptChat(context: ResilientContext, route: PlannedRoute, request: ChatRequest, parent: AbortSource): Promise<ProviderChatResponse> {
  const local = new LinkedAbort(parent);
  const { responseMs } = context.options.timeoutsFor(route.extension, route.upstreamModel);
  const timer = attemptTimer(local, responseMs, route, 'did not answer', 'responseMs');
  try {
    const provider = context.provider(route, 'chat');
    // The attempt follows the in-flight call, so a drain (or the caller) ends this race too; the race
    // listens on the attempt itself, not on the provider's signal.
    return await raceSignal(provider.chat!(forRoute(request, route), signalOptions(local)), local);
  } finally {
    timer.clear();
    local.dispose();
  }
}

/**
 * After a failed attempt on route number `index`: records it, then says whether to `retry` the route
 * (after the backoff, waited here) or go to the `next` one; throws (with every attempt) when the
 * request must end: the caller left, the app is draining, the budget is spent, or the failure is the
 * caller's to see. `endNow` ends it whatever the failure (a stream that already sent a tool call).
 */
export async function afterFailure(
  context: ResilientContext,
  attempts: RequestAttempts,
  failed: { route: PlannedRoute; index: number; retry: number; began: number; starts: number[]; endNow?: boolean },
  thrown: unknown,
): Promise<'retry' | 'next'> {
  const { call, options, breakers, callerSignal } = context;
  const { route, index, retry, began, starts } = failed;
  const error = asExtensionError(call.drainError ?? thrown, route.extension);
  const kind = attempts.failed(route, error, began, callerSignal);
  if (call.drainError || callerSignal.aborted) throw withAttempts(error, attempts);
  if (attempts.scope.aborted) throw withAttempts(attempts.failure(), attempts);
  if (kind === 'context') attempts.contextFloor = route.model.maxTokens ?? Infinity;
  const next = decide(kind, index, retry, options);
  if (next === 'stop' || failed.endNow) throw withAttempts(error, attempts);
  if (next === 'next') return 'next';
  const wait = attempts.backoff(retry + 1, (error as { retryAfterMs?: number }).retryAfterMs, starts);
  if (wait >= attempts.waitLimitMs(route)) return 'next';
  await attempts.wait(wait).catch(() => {
    throw withAttempts(call.drainError ?? (callerSignal.aborted ? callerSignal.reason : attempts.failure()), attempts);
  });
  return breakers.allow(route.key) ? 'retry' : 'next';
}

/** Whether a route is worth an attempt now: large enough after a context failure, and its breaker lets it. */
export function mayTry(attempts: RequestAttempts, route: PlannedRoute): boolean {
  if (attempts.contextFloor !== undefined && !((route.model.maxTokens ?? 0) > attempts.contextFloor)) return false;
  if (attempts.breakers.allow(route.key)) return true;
  attempts.skipped(route);
  return false;
}

/**
 * A chat request over its planned routes: transient failures retry on the same route with backoff
 * (honouring Retry-After, failing over when the wait would pass the budget), timeouts and route errors
 * fail over at once, a context-length failure only goes to a model with a larger context, an open
 * breaker's route is skipped. The answer carries every attempt.
 */
export async function resilientChat(context: ResilientContext, request: ChatRequest): Promise<ChatResponse & { attempts: Attempt[] }> {
  const { routes, options, breakers, call } = context;
  const attempts = new RequestAttempts(options, breakers, call);
  try {
    for (let index = 0; index < routes.length; index++) {
      const route = routes[index];
      if (!mayTry(attempts, route)) continue;
      const starts: number[] = [];
      for (let retry = 0; ; retry++) {
        const began = Date.now();
        starts.push(began);
        call.extension = route.extension;
        try {
          const answer = await attemptChat(context, route, request, attempts.scope);
          attempts.succeeded(route, began);
          return { ...answer, extension: route.extension, attempts: attempts.list };
        } catch (thrown) {
          if ((await afterFailure(context, attempts, { route, index, retry, began, starts }, thrown)) === 'next') break;
        }
      }
    }
    throw withAttempts(attempts.failure(), attempts);
  } finally {
    attempts.end();
  }
}

export function withAttempts<E>(error: E, attempts: RequestAttempts): WithAttempts<E> {
  if (error !== null && typeof error === 'object' && !Object.isFrozen(error)) Object.defineProperty(error, 'attempts', { value: attempts.list, enumerable: false, configurable: true });
  return error as WithAttempts<E>;
}
