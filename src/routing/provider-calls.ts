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
import { resilientStream, type ChatStream } from './resilience/resilient-stream.js';
import { planRoutes, type RouteFinder } from './resilience/route-plan.js';
import type { RouteOptions, RouteResult } from './routing.interface.js';

/** What a call to the router may carry: a signal that cancels the provider's call. */
export interface RouterCallOptions {
  signal?: AbortSignal;
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

/** One call to the extension that serves `request.model`, with the provider's own model name. */
async function routedCall<Answer>(
  route: Route,
  calls: InFlightCalls,
  request: { model: string },
  capabilities: string[],
  operation: 'chat' | 'embed',
  options: RouterCallOptions,
): Promise<Answer & { extension: string }> {
  const routed = route(request.model, { capabilities });
  const target = provider(routed, operation) as Record<typeof operation, (request: unknown, options: { signal: AbortSignal }) => Promise<Answer>>;
  const call = calls.open(options.signal);
  call.extension = routed.extension;
  try {
    const answer = await call.race(target[operation]({ ...request, model: routed.upstreamModel }, { signal: call.signal }));
    return { ...answer, extension: routed.extension };
  } catch (error) {
    throw callFailure(error, call, routed.extension);
  } finally {
    call.end();
  }
}

/** What the resilient calls need of the router. */
export interface ResilientRouter extends RouteFinder {
  readonly resilience: ResolvedResilience;
  readonly breakers: CircuitBreakers;
}

function contextFor(router: ResilientRouter, request: ChatRequest, call: InFlightCall, callerSignal: AbortSignal | undefined): ResilientContext {
  const routes = planRoutes(router, request, requiredCapabilities(request), router.resilience);
  return {
    routes,
    options: router.resilience,
    breakers: router.breakers,
    call,
    callerSignal: callerSignal ?? new AbortController().signal,
    provider: (route, operation) => provider(route, operation),
  };
}

/** A chat request with retries, fallbacks and breakers (see resilience/); the answer lists its attempts. */
export async function routedChat(router: ResilientRouter, calls: InFlightCalls, request: ChatRequest, options: RouterCallOptions = {}): Promise<ChatResponse> {
  const call = calls.open(options.signal);
  try {
    return await resilientChat(contextFor(router, request, call, options.signal), request);
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
  async function* run(): AsyncGenerator<ChatChunk> {
    const call = calls.open(options.signal);
    let finished = false;
    try {
      yield* resilientStream(contextFor(router, request, call, options.signal), request, attempts, now);
      finished = true;
    } finally {
      if (!finished) call.abort(new Error('the stream was not read to its end'));
      call.end();
    }
  }
  let stream: AsyncGenerator<ChatChunk> | undefined;
  return {
    attempts,
    get route() {
      return now.route;
    },
    [Symbol.asyncIterator]: () => (stream ??= run()),
  };
}

export function routedEmbed(route: Route, calls: InFlightCalls, request: EmbeddingRequest, options: RouterCallOptions = {}): Promise<EmbeddingResponse> {
  return routedCall<ProviderEmbeddingResponse>(route, calls, request, ['embeddings'], 'embed', options);
}
