import { describeThrown, ExtensionError, ProviderError, UnsupportedOperationError } from '../errors/index.js';
import type {
  ChatChunk,
  ChatProvider,
  ChatRequest,
  ChatResponse,
  EmbeddingRequest,
  EmbeddingResponse,
  ProviderChatResponse,
  ProviderEmbeddingResponse,
} from '../provider/chat.interface.js';
import type { InFlightCall, InFlightCalls } from './in-flight-calls.js';
import type { Attempt } from './resilience/attempts.js';
import type { CircuitBreakers } from './resilience/circuit-breakers.js';
import type { ResolvedResilience } from './resilience/resilience.options.js';
import { resilientChat, type ResilientContext } from './resilience/resilient-chat.js';
import { resilientStream, type ChatStream, type StreamHooks } from './resilience/resilient-stream.js';
import { planRoutes, type PlannedRoute, type RouteFinder } from './resilience/route-plan.js';
import type { WithAttempts } from './resilience/resilient-chat.js';
import type { PlannedCall } from '../telemetry/call-telemetry.js';
import type { CallRecord, Telemetry } from '../telemetry/telemetry.js';
import type { RouteOptions, RouteResult } from './routing.interface.js';
import type { AbortSource } from '../utils/linked-abort.js';

/**
 * What a call to the router may carry: a signal that cancels the provider's call. An AbortSignal, or
 * anything with `aborted`, `reason` and abort listeners (the router only follows it; the provider
 * always gets an AbortSignal of its own attempt).
 */
export interface RouterCallOptions {
  signal?: AbortSignal | AbortSource;
}

type Route = (model: string, options: RouteOptions) => RouteResult;

/** The capabilities a chat request needs of its model: tools need `function_calling`, images `vision`. */
export function requiredCapabilities(request: ChatRequest): string[] {
  const needed: string[] = [];
  if (request.tools?.length) needed.push('function_calling');
  const images = request.messages?.some((m) => Array.isArray(m.content) && m.content.some((part) => part?.type === 'image_url'));
  if (images) needed.push('vision');
  return needed;
}

export function provider(route: RouteResult, operation: keyof ChatProvider): ChatProvider {
  const instance = route.instance as ChatProvider;
  if (typeof instance[operation] !== 'function') {
    throw new UnsupportedOperationError(
      `Extension "${route.extension}" serves model "${route.model.name}" but does not implement ${operation}(request, { signal }). Implement it, or route the request to another model.`,
      route.extension,
      operation,
    );
  }
  return instance;
}

/** Our errors pass through; anything else a provider threw becomes a ProviderError naming the extension. */
function providerFailure(error: unknown, extension: string): ExtensionError {
  if (error instanceof ExtensionError) return error;
  return new ProviderError(`Extension "${extension}" failed: ${describeThrown(error)}`, extension, {}, { cause: error });
}

/** The drain error when a drain aborted the call (whatever the provider threw then), else the provider's failure. */
function callFailure(error: unknown, call: InFlightCall, extension: string): ExtensionError {
  return providerFailure(call.drainError ?? error, extension);
}

/** An embeddings call to the extension that serves `request.model`, with the provider's own model name. */
export async function routedEmbed(router: { readonly telemetry: Telemetry }, route: Route, calls: InFlightCalls, request: EmbeddingRequest, options: RouterCallOptions = {}): Promise<EmbeddingResponse> {
  const record = router.telemetry.call('embeddings', request.model, false);
  let call: InFlightCall | undefined;
  try {
    const routed = route(request.model, { capabilities: ['embeddings'] });
    record.plan({ extension: routed.extension, declaredModel: routed.model.name, match: routed.match, costPerToken: routed.model.costPerToken });
    const target = provider(routed, 'embed');
    call = calls.open(options.signal);
    call.extension = routed.extension;
    let answer: ProviderEmbeddingResponse;
    try {
      answer = await call.race(target.embed!({ ...request, model: routed.upstreamModel }, { signal: call.signal }));
    } catch (error) {
      throw callFailure(error, call, routed.extension);
    }
    const usage = answer.usage && { promptTokens: answer.usage.promptTokens, completionTokens: 0, totalTokens: answer.usage.totalTokens };
    record.succeeded({ extension: routed.extension, model: answer.model, usage });
    return { ...answer, extension: routed.extension };
  } catch (error) {
    if (options.signal?.aborted) record.cancelled();
    else record.failed(error);
    throw error;
  } finally {
    call?.end();
  }
}

/** The first route of a plan, as the call's telemetry names it; the breaker of the route each attempt took. */
function plannedCall(routes: readonly PlannedRoute[], breakers: CircuitBreakers): PlannedCall | undefined {
  const first = routes[0];
  if (!first) return undefined;
  return {
    extension: first.extension,
    declaredModel: first.model.name,
    match: first.match,
    costPerToken: first.model.costPerToken,
    breakerOf: (attempt) => {
      const route = routes.find((r) => r.extension === attempt.extension && r.upstreamModel === attempt.model);
      return route && breakers.state(route.key);
    },
  };
}

/** The model entry that answered: its cost per token. */
const costOf = (routes: readonly PlannedRoute[], extension: string | undefined, model: string | undefined) =>
  routes.find((r) => r.extension === extension && r.upstreamModel === model)?.model.costPerToken;

/** What the resilient calls need of the router. */
export interface ResilientRouter extends RouteFinder {
  readonly resilience: ResolvedResilience;
  readonly breakers: CircuitBreakers;
  readonly telemetry: Telemetry;
}

/** The caller's signal of a call made without one: it is only read, so one serves every such call. */
const NEVER_ABORTED = new AbortController().signal;

function contextFor(router: ResilientRouter, request: ChatRequest, call: InFlightCall, callerSignal: AbortSource | undefined): ResilientContext {
  const routes = planRoutes(router, request, requiredCapabilities(request), router.resilience);
  return {
    routes,
    options: router.resilience,
    breakers: router.breakers,
    call,
    callerSignal: callerSignal ?? NEVER_ABORTED,
    provider: (route, operation) => provider(route, operation),
  };
}

/** A chat request with retries, fallbacks and breakers (see resilience/); the answer lists its attempts. */
export async function routedChat(router: ResilientRouter, calls: InFlightCalls, request: ChatRequest, options: RouterCallOptions = {}): Promise<ChatResponse> {
  const record = router.telemetry.call('chat', request.model, false, request.messages);
  const call = calls.open(options.signal);
  try {
    const context = contextFor(router, request, call, options.signal);
    record.plan(plannedCall(context.routes, router.breakers));
    const answer = await resilientChat(context, request);
    const last = answer.attempts.at(-1);
    record.succeeded(
      { extension: answer.extension, model: answer.model, id: answer.id, usage: answer.usage, finishReason: answer.finishReason, text: answer.message?.content, costPerToken: costOf(context.routes, last?.extension, last?.model) },
      answer.attempts,
    );
    return answer;
  } catch (error) {
    // The caller left (its signal aborted: a client that closed its connection): not the call's failure.
    if (options.signal?.aborted) record.cancelled((error as WithAttempts<unknown>)?.attempts);
    else record.failed(error, (error as WithAttempts<unknown>)?.attempts);
    throw error;
  } finally {
    call.end();
  }
}

/**
 * Streams the answer, with the same resilience. Routing errors surface on the first `next()`. When the
 * consumer stops early (a `break`, a client that left) or the caller's signal aborts, the provider's
 * signal aborts too. `attempts` fills as the stream goes.
 */
export function routedChatStream(router: ResilientRouter, calls: InFlightCalls, request: ChatRequest, options: RouterCallOptions = {}): ChatStream {
  const attempts: Attempt[] = [];
  const now: { route?: { extension: string; model: string } } = {};
  // Set on the first next() (begin): a stream counts as in flight, and is traced, from then on.
  let record: CallRecord;
  let call: InFlightCall;
  let routes: readonly PlannedRoute[] = [];
  let seen: { model?: string; id?: string; usage?: ChatChunk['usage']; finish?: string | null; text?: string } = {};
  const hooks: StreamHooks = {
    begin() {
      record = router.telemetry.call('chat', request.model, true, request.messages);
      call = calls.open(options.signal);
      if (record.wantsContent) seen = { text: '' };
      const context = contextFor(router, request, call, options.signal);
      routes = context.routes;
      record.plan(plannedCall(routes, router.breakers));
      return context;
    },
    chunk(chunk) {
      if (chunk.delta?.content) {
        record.firstChunk();
        if (seen.text !== undefined) seen.text += chunk.delta.content;
      }
      if (chunk.usage) seen.usage = chunk.usage;
      if (chunk.model) seen.model = chunk.model;
      if (chunk.id) seen.id = chunk.id;
      if (chunk.finishReason) seen.finish = chunk.finishReason;
    },
    end(outcome, error) {
      if (outcome === 'done') {
        const route = now.route;
        record.succeeded({ extension: route?.extension ?? '', model: seen.model ?? route?.model, id: seen.id, usage: seen.usage, finishReason: seen.finish, text: seen.text, costPerToken: costOf(routes, route?.extension, route?.model) }, attempts);
      } else if (outcome === 'failed') {
        if (options.signal?.aborted) record.cancelled(attempts);
        else record.failed(error, attempts);
      } else {
        call.abort(new Error('the stream was not read to its end'));
        record.cancelled(attempts);
      }
      call.end();
    },
  };
  let stream: AsyncGenerator<ChatChunk> | undefined;
  return {
    attempts,
    get route() {
      return now.route;
    },
    [Symbol.asyncIterator]: () => (stream ??= resilientStream(hooks, request, attempts, now)),
  };
}

