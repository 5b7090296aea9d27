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

function provider(route: RouteResult, operation: keyof ChatProvider): ChatProvider {
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

export function routedChat(route: Route, calls: InFlightCalls, request: ChatRequest, options: RouterCallOptions = {}): Promise<ChatResponse> {
  return routedCall<ProviderChatResponse>(route, calls, request, requiredCapabilities(request), 'chat', options);
}

/**
 * Streams the answer. Routing errors surface on the first `next()`. When the consumer stops early (a
 * `break`, a client that left) or the caller's signal aborts, the provider's signal aborts too.
 */
export async function* routedChatStream(route: Route, calls: InFlightCalls, request: ChatRequest, options: RouterCallOptions = {}): AsyncGenerator<ChatChunk> {
  const routed = route(request.model, { capabilities: requiredCapabilities(request) });
  const streaming = provider(routed, 'chatStream');
  const call = calls.open(options.signal);
  call.extension = routed.extension;
  let iterator: AsyncIterator<ChatChunk> | undefined;
  // Whether the provider's stream is over (ended or threw) or still open where it paused.
  let settled = false;
  try {
    iterator = streaming.chatStream!({ ...request, model: routed.upstreamModel }, { signal: call.signal })[Symbol.asyncIterator]();
    for (;;) {
      const step = await call.race(iterator.next());
      if (step.done) break;
      yield step.value;
    }
    settled = true;
  } catch (error) {
    settled = true;
    // A drain that cut a pending next() leaves the provider's stream running until it sees its signal.
    if (call.drainError && iterator) void Promise.resolve(iterator.return?.()).catch(() => undefined);
    throw callFailure(error, call, routed.extension);
  } finally {
    // The consumer left early: close the provider's stream where it paused, then abort its call.
    if (!settled) {
      try {
        await iterator?.return?.();
      } finally {
        call.abort(new Error('the stream was not read to its end'));
      }
    }
    call.end();
  }
}

export function routedEmbed(route: Route, calls: InFlightCalls, request: EmbeddingRequest, options: RouterCallOptions = {}): Promise<EmbeddingResponse> {
  return routedCall<ProviderEmbeddingResponse>(route, calls, request, ['embeddings'], 'embed', options);
}
