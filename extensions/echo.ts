import { Capability, Extension, ExtensionLifecycle, Model, ConfigField } from '../src/extension.js';
import type { ChatProvider, ChatRequest, ProviderChatResponse } from '../src/extension.js';

/** The first demo extension, kept as the smallest example of the provider contract: it answers with the last user message. */
@Extension({ name: 'echo', description: 'Answers with the last user message; needs no API key', version: '1.1.0', author: 'Gleitzeit' })
@Model('echo', { capabilities: ['text'], maxTokens: 8192, costPerToken: 0, aliases: ['echo-1'] })
@Capability('streaming')
@ConfigField('prefix', { type: 'string', default: '', envVar: 'ECHO_PREFIX', description: 'Text put before every answer' })
export class EchoExtension implements ExtensionLifecycle, ChatProvider {
  private served = 0;

  constructor(readonly config: { prefix: string }) {}

  async chat(request: ChatRequest): Promise<ProviderChatResponse> {
    this.served++;
    const last = [...request.messages].reverse().find((m) => m.role === 'user');
    const text = typeof last?.content === 'string' ? last.content : (last?.content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');
    return { model: request.model, message: { role: 'assistant', content: `${this.config.prefix}${text}` }, finishReason: 'stop' };
  }

  healthCheck() {
    return { healthy: true, served: this.served };
  }
}
