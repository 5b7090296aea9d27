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

/** One call to the extension that serves `request.model`, with the provider's own model name. */
async function routedCall<Answer>(route: Route, request: { model: string }, capabilities: string[], operation: 'chat' | 'embed', options: RouterCallOptions): Promise<Answer & { extension: string }> {
  const routed = route(request.model, { capabilities });
  const target = provider(routed, operation) as Record<typeof operation, (request: unknown, options: { signal: AbortSignal }) => Promise<Answer>>;
  const signal = options.signal ?? new AbortController().signal;
  try {
    const answer = await target[operation]({ ...request, model: routed.upstreamModel }, { signal });
    return { ...answer, extension: routed.extension };
  } catch (error) {
    throw providerFailure(error, routed.extension);
  }
}

export function routedChat(route: Route, request: ChatRequest, options: RouterCallOptions = {}): Promise<ChatResponse> {
  return routedCall<ProviderChatResponse>(route, request, requiredCapabilities(request), 'chat', options);
}

/**
 * Streams the answer. Routing errors surface on the first `next()`. When the consumer stops early (a
 * `break`, a client that left) or the caller's signal aborts, the provider's signal aborts too.
 */
export async function* routedChatStream(route: Route, request: ChatRequest, options: RouterCallOptions = {}): AsyncGenerator<ChatChunk> {
  const routed = route(request.model, { capabilities: requiredCapabilities(request) });
  const streaming = provider(routed, 'chatStream');
  const controller = new AbortController();
  const forward = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) forward();
  options.signal?.addEventListener('abort', forward, { once: true });
  let finished = false;
  try {
    for await (const chunk of streaming.chatStream!({ ...request, model: routed.upstreamModel }, { signal: controller.signal })) yield chunk;
    finished = true;
  } catch (error) {
    throw providerFailure(error, routed.extension);
  } finally {
    options.signal?.removeEventListener('abort', forward);
    if (!finished) controller.abort(new Error('the stream was not read to its end'));
  }
}

export function routedEmbed(route: Route, request: EmbeddingRequest, options: RouterCallOptions = {}): Promise<EmbeddingResponse> {
  return routedCall<ProviderEmbeddingResponse>(route, request, ['embeddings'], 'embed', options);
}
