import Anthropic from '@anthropic-ai/sdk';
import { ConfigBasedExtension, ProviderError } from '../../src/extension.js';
import type { CallOptions, ChatChunk, ChatProvider, ChatRequest, ExtensionHealth, LifecycleOptions, ProviderChatResponse, Usage } from '../../src/extension.js';
import { toProviderError } from './errors.js';
import { finishReason, fromMessage, toParams, usageOf } from './translate.js';

export interface ClaudeConfig {
  api_key: string;
  base_url: string;
  /** Seconds. */
  timeout: number;
  default_max_tokens?: number;
}

/**
 * Anthropic's Messages API through the official SDK; models and config come from extension.yaml.
 * Requests and answers are the provider contract's (OpenAI-shaped), translated in translate.ts. The SDK
 * does not retry (`maxRetries: 0`): retries are the caller's decision, made on ProviderError's status
 * and retryAfterMs.
 */
export class ClaudeService extends ConfigBasedExtension<ClaudeConfig> implements ChatProvider {
  private client?: Anthropic;

  private get sdk(): Anthropic {
    this.client ??= new Anthropic({
      apiKey: this.config.api_key,
      authToken: null,
      baseURL: this.config.base_url || 'https://api.anthropic.com',
      timeout: (this.config.timeout ?? 60) * 1000,
      maxRetries: 0,
    });
    return this.client;
  }

  private get maxTokens(): number {
    return this.config.default_max_tokens ?? 1024;
  }

  async chat(request: ChatRequest, { signal }: CallOptions): Promise<ProviderChatResponse> {
    try {
      const message = await this.sdk.messages.create(toParams(request, this.maxTokens), { signal });
      return fromMessage(message);
    } catch (error) {
      throw toProviderError(error, this.config.api_key, signal);
    }
  }

  /**
   * Anthropic's stream events as contract chunks: message_start → the role; content_block_start of a
   * tool_use → the call's index, id and name; text_delta → content; input_json_delta → argument
   * pieces of that call; message_delta → the finish reason; then one chunk with the usage.
   */
  async *chatStream(request: ChatRequest, { signal }: CallOptions): AsyncGenerator<ChatChunk> {
    let stream: Awaited<ReturnType<typeof this.open>> | undefined;
    try {
      stream = await this.open(request, signal);
      let head: { id?: string; model?: string } = {};
      let usage: Partial<Anthropic.Usage> = {};
      let output: number | undefined;
      const toolIndex = new Map<number, number>();
      for await (const event of stream) {
        switch (event.type) {
          case 'message_start':
            head = { id: event.message.id, model: event.message.model };
            usage = event.message.usage ?? {};
            yield { ...head, delta: { role: 'assistant', content: '' } };
            break;
          case 'content_block_start':
            if (event.content_block.type === 'tool_use') {
              const index = toolIndex.size;
              toolIndex.set(event.index, index);
              const { id, name } = event.content_block;
              yield { ...head, delta: { toolCalls: [{ index, id, type: 'function', function: { name, arguments: '' } }] } };
            } else if (event.content_block.type === 'text' && event.content_block.text) {
              yield { ...head, delta: { content: event.content_block.text } };
            }
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta') yield { ...head, delta: { content: event.delta.text } };
            else if (event.delta.type === 'input_json_delta' && toolIndex.has(event.index) && event.delta.partial_json) {
              yield { ...head, delta: { toolCalls: [{ index: toolIndex.get(event.index)!, function: { arguments: event.delta.partial_json } }] } };
            }
            break;
          case 'message_delta':
            usage = { ...usage, ...definedOf(event.usage as Partial<Anthropic.Usage>) };
            output = event.usage?.output_tokens ?? output;
            yield { ...head, delta: {}, finishReason: finishReason(event.delta.stop_reason) };
            break;
          case 'message_stop': {
            const total: Usage = usageOf(usage, output);
            yield { ...head, delta: {}, usage: total };
            return;
          }
        }
      }
      // The SDK ends its iteration quietly on an abort; a stream cut short is a failure, not an answer.
      if (signal.aborted) throw signal.reason;
      throw new ProviderError('Anthropic stream ended before message_stop (the connection was cut)', 'claude', { providerCode: 'stream_incomplete' });
    } catch (error) {
      throw toProviderError(error, this.config.api_key, signal);
    } finally {
      // A consumer that stopped early (or an abort) closes the upstream connection.
      if (stream && !stream.controller.signal.aborted) stream.controller.abort();
    }
  }

  private open(request: ChatRequest, signal: AbortSignal) {
    return this.sdk.messages.create({ ...toParams(request, this.maxTokens), stream: true }, { signal });
  }

  /** A cheap authenticated call: the first model of the list. */
  async healthCheck(options?: LifecycleOptions): Promise<ExtensionHealth> {
    try {
      const page = await this.sdk.models.list({ limit: 1 }, { signal: options?.signal });
      return { healthy: true, models: page.data.map((model) => model.id) };
    } catch (error) {
      const failure = toProviderError(error, this.config.api_key, options?.signal) as { message?: string; status?: number };
      return { healthy: false, message: failure?.message ?? 'Anthropic health check failed', ...(failure?.status !== undefined && { status: failure.status }) };
    }
  }
}

/** Only the fields that are set: message_delta's usage may carry nulls for what did not change. */
function definedOf<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}
