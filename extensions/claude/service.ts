import { ConfigBasedExtension } from '../../src/index.js';
import type { ChatProvider, ChatRequest, ChatResponse } from '../../src/app/chat.interface.js';

interface ClaudeConfig {
  api_key: string;
  base_url: string;
  timeout: number;
}

/** Anthropic's Messages API over fetch; models and config come from extension.yaml. */
export class ClaudeService extends ConfigBasedExtension<ClaudeConfig> implements ChatProvider {
  async chat(request: ChatRequest): Promise<ChatResponse> {
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n');
    const response = await fetch(`${this.config.base_url}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': this.config.api_key, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: request.model,
        max_tokens: request.maxTokens ?? 1024,
        ...(system && { system }),
        messages: request.messages.filter((m) => m.role !== 'system'),
      }),
      signal: AbortSignal.timeout(this.config.timeout * 1000),
    });
    const body = (await response.json()) as { content?: { type: string; text: string }[]; error?: { message: string } };
    if (!response.ok) throw new Error(`Anthropic answered ${response.status}: ${body.error?.message ?? 'no message'}`);
    return { model: request.model, text: (body.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('') };
  }
}
