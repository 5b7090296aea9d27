/*
 * What `gleitzeit new` writes: a provider extension that works as written (its stubs answer with the
 * last user message, so it boots, routes and passes its test before it calls any API), and its test.
 */

export interface Names {
  /** The extension's name: acme-ai. */
  name: string;
  /** Its class: AcmeAi (AcmeAiExtension, AcmeAiService). */
  pascal: string;
  /** Its environment variables' prefix: ACME_AI. */
  env: string;
  /** The model it declares: acme-ai-chat. */
  model: string;
}

const PROVIDER_METHODS = (names: Names, configType: string) => `  /** One answer. Replace the stub with your API's call, and pass it \`signal\` (fetch(url, { signal })). */
  async chat(request: ChatRequest, { signal }: CallOptions): Promise<ProviderChatResponse> {
    signal.throwIfAborted();
    const text = stubAnswer(request);
    return { model: request.model, message: { role: 'assistant', content: text }, finishReason: 'stop', usage: usage(request, text) };
  }

  /** The same answer in pieces: the role first, then the text, then the finish reason. */
  async *chatStream(request: ChatRequest, { signal }: CallOptions): AsyncIterable<ChatChunk> {
    yield { model: request.model, delta: { role: 'assistant', content: '' } };
    for (const piece of stubAnswer(request).split(/(?= )/)) {
      signal.throwIfAborted();
      yield { model: request.model, delta: { content: piece } };
    }
    yield { model: request.model, delta: {}, finishReason: 'stop' };
  }

  /** /health calls this; a real provider asks its API (a models list, say) within \`signal\`. */
  async healthCheck({ signal }: LifecycleOptions) {
    signal.throwIfAborted();
    return { healthy: true, baseUrl: this.${configType}.baseUrl };
  }
}

/** The stub's answer: the text of the last user message. */
function stubAnswer(request: ChatRequest): string {
  const last = [...request.messages].reverse().find((message) => message.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  return (last?.content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join(' ');
}

function usage(request: ChatRequest, answer: string) {
  const words = (text: string) => text.split(/\\s+/).filter(Boolean).length;
  const promptTokens = request.messages.reduce((sum, m) => sum + (typeof m.content === 'string' ? words(m.content) : 0), 0);
  const completionTokens = words(answer);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
`;

const CONTRACT_TYPES = 'type CallOptions, type ChatChunk, type ChatProvider, type ChatRequest, type LifecycleOptions, type ProviderChatResponse';

export function decoratorModule(names: Names): string {
  return `import { ConfigField, Extension, Model, ${CONTRACT_TYPES}, type ExtensionLifecycle } from 'gleitzeit-extensions/extension';

export interface ${names.pascal}Config {
  baseUrl: string;
  apiKey?: string;
}

@Extension({ name: '${names.name}', description: 'TODO: what ${names.name} serves', version: '0.1.0' })
@Model('${names.model}', { capabilities: ['text', 'streaming'], maxTokens: 8192, costPerToken: 0 })
@ConfigField('baseUrl', { default: 'http://localhost:8080/v1', envVar: '${names.env}_BASE_URL', description: 'Where the API answers' })
// Once the stubs call a real API, make the key required: true.
@ConfigField('apiKey', { envVar: '${names.env}_API_KEY', secret: true, description: 'API key' })
export class ${names.pascal}Extension implements ExtensionLifecycle, ChatProvider {
  constructor(readonly config: ${names.pascal}Config) {}

${PROVIDER_METHODS(names, 'config')}`;
}

export function manifest(names: Names, schema: string): string {
  return `# yaml-language-server: $schema=${schema}
name: ${names.name}
description: 'TODO: what ${names.name} serves'
version: 0.1.0
models:
  - name: ${names.model}
    capabilities: [text, streaming]
    max_tokens: 8192
    cost_per_token: 0
config:
  base_url:
    default: http://localhost:8080/v1
    env_var: ${names.env}_BASE_URL
    description: Where the API answers
  # Once the stubs call a real API, make the key required: true.
  api_key:
    env_var: ${names.env}_API_KEY
    secret: true
    description: API key
service:
  class_path: service.${names.pascal}Service
`;
}

export function service(names: Names): string {
  return `import { ConfigBasedExtension, ${CONTRACT_TYPES} } from 'gleitzeit-extensions/extension';

export interface ${names.pascal}Config {
  base_url: string;
  api_key?: string;
}

/** The service of extension.yaml: ConfigBasedExtension keeps config and definition, and no-op setup/start/stop. */
export class ${names.pascal}Service extends ConfigBasedExtension<${names.pascal}Config> implements ChatProvider {
${PROVIDER_METHODS(names, 'config').replace(/ {2}async healthCheck/, '  override async healthCheck').replace('this.config.baseUrl', 'this.config.base_url')}`;
}

export function spec(names: Names): string {
  return `import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { ExtensionManager } from 'gleitzeit-extensions';

// The search path that holds this extension, as the app's searchPaths would name it.
const searchPath = fileURLToPath(new URL('..', import.meta.url));
const ask = (content: string) => ({ model: '${names.model}', messages: [{ role: 'user' as const, content }] });

describe('extension ${names.name}', () => {
  it('loads, starts, answers chat and chatStream through the router, and is healthy', async () => {
    const manager = new ExtensionManager();
    await manager.discoverExtensions([searchPath]);
    await manager.loadExtension('${names.name}'); // config from the environment and the defaults
    await manager.startExtension('${names.name}');
    const router = manager.modelRouter;
    try {
      const answer = await router.chat(ask('hello'), { signal: AbortSignal.timeout(5000) });
      expect(answer).toMatchObject({ extension: '${names.name}', message: { role: 'assistant', content: 'hello' }, finishReason: 'stop' });

      let streamed = '';
      for await (const chunk of router.chatStream(ask('hello there'), { signal: AbortSignal.timeout(5000) })) streamed += chunk.delta.content ?? '';
      expect(streamed).toBe('hello there');

      expect(await manager.checkHealth('${names.name}')).toMatchObject({ healthy: true });
    } finally {
      await manager.stopAllExtensions();
    }
  });
});
`;
}
