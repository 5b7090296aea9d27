import { Logger } from '@nestjs/common';
import type { OpenAI as OpenAIClient } from 'openai';
import { Capability, ConfigField, describeThrown, Extension, extensionNameOf, Model, Requires } from '../../src/extension.js';
import type {
  CallOptions,
  ChatChunk,
  ChatProvider,
  ChatRequest,
  EmbeddingRequest,
  ExtensionLifecycle,
  LifecycleOptions,
  ProviderChatResponse,
  ProviderEmbeddingResponse,
  RuntimeModel,
} from '../../src/extension.js';
import { toProviderError } from './errors.js';
import { configuredModels, serverModels, type ConfiguredModel } from './models.js';
import { fromWire, fromWireChunk, toWire } from './wire.js';

export interface OpenAiConfig {
  apiKey: string;
  baseUrl: string;
  organization?: string;
  timeout: number;
  /** Model names this server serves besides the declared ones (`OPENAI_MODELS=llama3.1,qwen2.5`). */
  models?: ConfiguredModel[] | string;
  /** Also route every id the server lists (GET /models) at start. */
  listModels?: boolean;
}

type Sdk = typeof import('openai');

const CHAT = ['text', 'vision', 'function_calling', 'json_mode'];

/**
 * OpenAI's Chat Completions and Embeddings APIs through the official `openai` SDK; with `baseUrl`, any
 * OpenAI-compatible server. Prices: USD per input token, from openai.com/api/pricing as of 2025-06.
 * The SDK does not retry (`maxRetries: 0`): retries belong to the router.
 */
@Extension({ name: 'openai', description: 'OpenAI (and OpenAI-compatible) chat and embedding models via the openai SDK', version: '2.0.0', author: 'Gleitzeit' })
@Requires('openai@^7')
@Model('gpt-4o', { capabilities: CHAT, maxTokens: 128000, costPerToken: 0.0000025, priority: 1 })
@Model('gpt-4o-mini', { capabilities: CHAT, maxTokens: 128000, costPerToken: 0.00000015 })
@Model('gpt-4.1', { capabilities: CHAT, maxTokens: 1047576, costPerToken: 0.000002 })
@Model('gpt-4.1-mini', { capabilities: CHAT, maxTokens: 1047576, costPerToken: 0.0000004 })
@Model('o3-mini', { capabilities: ['text', 'function_calling', 'json_mode'], maxTokens: 200000, costPerToken: 0.0000011 })
@Model('gpt-4*', { capabilities: ['text'], maxTokens: 8192 })
@Model('text-embedding-3-small', { capabilities: ['embeddings'], maxTokens: 8191, costPerToken: 0.00000002 })
@Model('text-embedding-3-large', { capabilities: ['embeddings'], maxTokens: 8191, costPerToken: 0.00000013 })
@Capability('streaming')
@ConfigField('apiKey', { required: true, envVar: 'OPENAI_API_KEY', secret: true, description: 'OpenAI API key (any non-empty value for a local server without auth)' })
@ConfigField('baseUrl', { default: 'https://api.openai.com/v1', envVar: 'OPENAI_BASE_URL', description: 'API base URL; point it at any OpenAI-compatible server' })
@ConfigField('organization', { envVar: 'OPENAI_ORGANIZATION', description: 'OpenAI organization id (sent as OpenAI-Organization)' })
@ConfigField('timeout', { type: 'integer', default: 60, min: 1, max: 600, description: 'Request timeout in seconds' })
@ConfigField('models', { type: 'list', envVar: 'OPENAI_MODELS', description: 'More model names this server serves, comma-separated (capabilities text, function_calling), or a JSON list' })
@ConfigField('listModels', { type: 'boolean', default: false, envVar: 'OPENAI_LIST_MODELS', description: "Also route every model id the server lists (GET /models) at start" })
export class OpenAiExtension implements ExtensionLifecycle, ChatProvider {
  private sdk?: Sdk;
  private client?: OpenAIClient;
  /** The name this class runs as: `openai`, or a subclass's own (`ollama`). */
  protected readonly extensionName = extensionNameOf(this) ?? 'openai';

  constructor(readonly config: OpenAiConfig) {}

  /** The SDK is imported here, not at the top, so a missing package is @Requires' clear error first. */
  async setup(_options?: LifecycleOptions): Promise<void> {
    this.sdk = await import('openai');
    const { apiKey, baseUrl, organization, timeout } = this.config;
    // Every option explicit (null, not undefined): the SDK reads OPENAI_* env vars only for options left out.
    this.client = new this.sdk.OpenAI({ apiKey, baseURL: baseUrl, organization: organization || null, project: null, timeout: timeout * 1000, maxRetries: 0 });
  }

  async chat(request: ChatRequest, { signal }: CallOptions): Promise<ProviderChatResponse> {
    const client = await this.ready();
    try {
      return fromWire(await client.chat.completions.create(toWire(request), { signal }));
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Chunks as they come; the last one carries usage (`stream_options.include_usage`). */
  async *chatStream(request: ChatRequest, { signal }: CallOptions): AsyncGenerator<ChatChunk> {
    const client = await this.ready();
    try {
      const stream = await client.chat.completions.create({ ...toWire(request), stream: true, stream_options: { include_usage: true } }, { signal });
      for await (const chunk of stream) yield fromWireChunk(chunk);
    } catch (error) {
      throw this.failure(error);
    }
  }

  async embed(request: EmbeddingRequest, { signal }: CallOptions): Promise<ProviderEmbeddingResponse> {
    const client = await this.ready();
    const { model, input, dimensions, user } = request;
    try {
      const answer = await client.embeddings.create(
        { model, input, encoding_format: 'float', ...(dimensions !== undefined && { dimensions }), ...(user !== undefined && { user }) },
        { signal },
      );
      return {
        model: answer.model,
        data: answer.data.map((d) => ({ index: d.index, embedding: d.embedding })),
        usage: { promptTokens: answer.usage.prompt_tokens, totalTokens: answer.usage.total_tokens },
      };
    } catch (error) {
      throw this.failure(error);
    }
  }

  /**
   * The configured `models`, then, with `listModels`, the ids the server lists. A failed listing is a
   * warning (the key masked) and leaves the configured models; the manager checks the whole answer.
   */
  async listModels({ signal }: LifecycleOptions): Promise<RuntimeModel[]> {
    const configured = configuredModels(this.config.models);
    if (!this.config.listModels) return configured;
    try {
      return [...configured, ...(await serverModels(await this.ready(), signal))];
    } catch (error) {
      if (signal.aborted) throw error; // past the time limit: the manager says so
      const reason = this.mask(describeThrown(this.failure(error)));
      new Logger('Extensions').warn(`Extension "${this.extensionName}": listing the server's models (GET /models) failed: ${reason}; it routes its declared and configured models only.`);
      return configured;
    }
  }

  /** Lists models (GET /models): free, and proves the key and the network work. */
  async healthCheck({ signal }: LifecycleOptions) {
    const client = await this.ready();
    try {
      const { response } = await client.models.list({ signal }).withResponse();
      return { healthy: response.status === 200, statusCode: response.status };
    } catch (error) {
      const failure = this.failure(error) as Error & { status?: number };
      return { healthy: false, statusCode: failure.status, error: failure.message };
    }
  }

  private async ready(): Promise<OpenAIClient> {
    if (!this.client) await this.setup();
    return this.client!;
  }

  private failure(error: unknown): unknown {
    return this.sdk ? toProviderError(error, this.sdk, this.extensionName, this.config.apiKey) : error;
  }

  private mask(text: string): string {
    const { apiKey } = this.config;
    return apiKey && apiKey.length >= 4 ? text.split(apiKey).join('***') : text;
  }
}
