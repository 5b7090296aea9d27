import { Capability, Extension, ExtensionLifecycle, Model, ConfigField } from '../src/index.js';
import type { ChatProvider, ChatRequest, ChatResponse } from '../src/app/chat.interface.js';

/** The embedded default: answers without any API key, so the app runs out of the box. */
@Extension({ name: 'echo', description: 'Answers with the last user message; needs no API key', version: '1.0.0', author: 'Gleitzeit' })
@Model('echo', { capabilities: ['text'], maxTokens: 8192, costPerToken: 0, aliases: ['echo-1'] })
@Capability('streaming')
@ConfigField('prefix', { type: 'string', default: '', envVar: 'ECHO_PREFIX', description: 'Text put before every answer' })
export class EchoExtension implements ExtensionLifecycle, ChatProvider {
  private served = 0;

  constructor(readonly config: { prefix: string }) {}

  async chat(request: ChatRequest): Promise<ChatResponse> {
    this.served++;
    const last = [...request.messages].reverse().find((m) => m.role === 'user');
    return { model: request.model, text: `${this.config.prefix}${last?.content ?? ''}` };
  }

  healthCheck() {
    return { healthy: true, served: this.served };
  }
}
