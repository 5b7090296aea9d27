import { Capability, ConfigField, Extension, Model, type ExtensionLifecycle, type LifecycleOptions } from '../../src/index.js';
import type { ChatProvider, ChatRequest, ChatResponse } from '../../src/app/chat.interface.js';

interface OpenAiConfig {
  apiKey: string;
  baseUrl: string;
  timeout: number;
}

/** OpenAI's Chat Completions API over fetch (no SDK needed). */
@Extension({ name: 'openai', description: 'OpenAI chat models', version: '1.0.0', author: 'Gleitzeit' })
@Model('gpt-4o', { capabilities: ['text', 'vision', 'function_calling'], maxTokens: 128000, costPerToken: 0.0000025, priority: 1 })
@Model('gpt-4o-mini', { capabilities: ['text', 'vision', 'function_calling'], maxTokens: 128000, costPerToken: 0.00000015 })
@Model('gpt-4*', { capabilities: ['text'], maxTokens: 8192 })
@Capability('streaming')
@ConfigField('apiKey', { required: true, envVar: 'OPENAI_API_KEY', secret: true, description: 'OpenAI API key' })
@ConfigField('baseUrl', { default: 'https://api.openai.com/v1', envVar: 'OPENAI_BASE_URL', description: 'API base URL' })
@ConfigField('timeout', { type: 'integer', default: 60, min: 1, max: 600, description: 'Request timeout in seconds' })
export class OpenAiExtension implements ExtensionLifecycle, ChatProvider {
  constructor(readonly config: OpenAiConfig) {}

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const response = await fetch(`${this.config.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.config.apiKey}` },
      body: JSON.stringify({ model: request.model, messages: request.messages, max_tokens: request.maxTokens }),
      signal: AbortSignal.timeout(this.config.timeout * 1000),
    });
    const body = (await response.json()) as { choices?: { message: { content: string } }[]; error?: { message: string } };
    if (!response.ok) throw new Error(`OpenAI answered ${response.status}: ${body.error?.message ?? 'no message'}`);
    return { model: request.model, text: body.choices?.[0]?.message.content ?? '' };
  }

  /** Lists models: free, and proves the key and the network work. */
  async healthCheck({ signal }: LifecycleOptions) {
    const response = await fetch(`${this.config.baseUrl}/models`, {
      headers: { authorization: `Bearer ${this.config.apiKey}` },
      // The health timeout aborts `signal`; the client's own timeout still bounds it.
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.config.timeout * 1000)]),
    });
    return { healthy: response.ok, statusCode: response.status };
  }
}
