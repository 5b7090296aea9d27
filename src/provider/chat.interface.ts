/*
 * The provider contract: what an LLM extension implements and what ModelRouter.chat/chatStream/embed
 * send and return. Shapes follow OpenAI's Chat Completions and Embeddings APIs, in camelCase, so a
 * gateway maps them to the wire one to one and other providers translate to and from them.
 */

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ImagePart {
  type: 'image_url';
  /** An https URL or a `data:` URL. */
  imageUrl: { url: string; detail?: 'auto' | 'low' | 'high' };
}

export type ContentPart = TextPart | ImagePart;

/** A call the model asks the caller to make; `arguments` is JSON text, as the model wrote it. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: ChatRole;
  /** Text, or parts (text and images); `null` for an assistant message that only calls tools. */
  content: string | ContentPart[] | null;
  name?: string;
  /** On an assistant message: the tools it called. */
  toolCalls?: ToolCall[];
  /** On a tool message: the call it answers. */
  toolCallId?: string;
}

export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; jsonSchema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean } };

/** A chat request: what people send to chat models today. */
export interface ChatRequest {
  /** Any name `route()` understands: a model, an alias, `extension:model`, or one a pattern matches. */
  model: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string | string[];
  seed?: number;
  user?: string;
  /**
   * Models to try when `model` fails (the router's resilience): tried in order, each must have the
   * capabilities the request needs. Replaces the configured chain for this request. Not sent to providers.
   */
  fallbacks?: string[];
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Set when the router estimated it (a provider's stream ended without usage): about 4 characters a token. */
  estimated?: boolean;
}

/** What a provider's chat() returns. */
export interface ProviderChatResponse {
  /** The provider's id of the completion, if it has one. */
  id?: string;
  /** The model that answered, as the provider names it. */
  model: string;
  message: { role: 'assistant'; content: string | null; toolCalls?: ToolCall[] };
  finishReason: FinishReason;
  usage?: Usage;
}

/** One attempt of a routed request (ModelRouter's retries and fallbacks). */
export interface RouteAttempt {
  extension: string;
  /** The provider's model name the attempt asked for. */
  model: string;
  /**
   * `ok`; `skipped` (the route's circuit breaker was open); or what the failure meant: `transient` (429,
   * 5xx, a reset: retried), `timeout`, `context` (too long for the model), `policy` (content policy),
   * `route` (401, 403, 404, an answer that could not be continued), `caller` (the request's own fault),
   * `aborted` (the caller left, or the app is shutting down).
   */
  outcome: 'ok' | 'skipped' | 'transient' | 'timeout' | 'context' | 'policy' | 'route' | 'caller' | 'aborted';
  /** The provider's HTTP status, when it gave one. */
  status?: number;
  ms: number;
}

/** What ModelRouter.chat() returns: the provider's answer and the extension that served it. */
export interface ChatResponse extends ProviderChatResponse {
  extension: string;
  /** Every attempt the router made, the answering one last. */
  attempts?: RouteAttempt[];
}

/** A fragment of a tool call in a stream: `index` says which call; name and id come first, arguments in pieces. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

/** One piece of a streamed answer. The last chunks carry `finishReason`, then `usage`. */
export interface ChatChunk {
  id?: string;
  model?: string;
  delta: { role?: 'assistant'; content?: string; toolCalls?: ToolCallDelta[] };
  finishReason?: FinishReason | null;
  usage?: Usage;
}

export interface EmbeddingRequest {
  model: string;
  input: string | string[];
  dimensions?: number;
  user?: string;
}

export interface ProviderEmbeddingResponse {
  model: string;
  data: { index: number; embedding: number[] }[];
  usage?: { promptTokens: number; totalTokens: number };
}

export interface EmbeddingResponse extends ProviderEmbeddingResponse {
  extension: string;
}

/** Every call gets a signal: when it aborts (a timeout, a client that left), stop the work. */
export interface CallOptions {
  signal: AbortSignal;
}

/**
 * What an LLM extension implements; each method is optional. `chat` for plain answers, `chatStream`
 * for streamed ones, `embed` for an `embeddings` capability. The request's `model` is the provider's own
 * model name (aliases and qualified ids are resolved before the call).
 */
export interface ChatProvider {
  chat?(request: ChatRequest, options: CallOptions): Promise<ProviderChatResponse>;
  chatStream?(request: ChatRequest, options: CallOptions): AsyncIterable<ChatChunk>;
  embed?(request: EmbeddingRequest, options: CallOptions): Promise<ProviderEmbeddingResponse>;
}
