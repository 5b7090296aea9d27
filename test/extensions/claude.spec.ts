import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ExtensionManager, ProviderError, SHIPPED_EXTENSIONS, type ChatChunk, type ModelRouter, type ToolCall } from '../../src/index.js';
import { FakeAnthropic, message, messageStart } from '../support/anthropic-server.js';
import { collect, failure, SINGLE_ATTEMPT } from '../support/mock.js';
import { reassemble } from '../support/chunks.js';

const KEY = 'sk-ant-test-0123456789abcdef';
const server = new FakeAnthropic();
let manager: ExtensionManager;
let router: ModelRouter;

beforeAll(async () => {
  await server.start();
  manager = new ExtensionManager(SINGLE_ATTEMPT, { env: () => undefined });
  await manager.discoverExtensions([SHIPPED_EXTENSIONS]);
  await manager.loadExtension('claude', { api_key: KEY, base_url: server.url });
  router = manager.modelRouter;
});
afterAll(async () => {
  await manager.stopAllExtensions?.();
  await server.stop();
});
beforeEach(() => {
  server.received.length = 0;
  server.replies.length = 0;
});

const weather = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const PNG = 'iVBORw0KGgo=';

describe('claude on @anthropic-ai/sdk: what it sends', () => {
  it('sends the key, the API version, the real model for an alias, system, max_tokens and plain answers come back normalized', async () => {
    server.replies.push({ json: message([{ type: 'text', text: 'Hello' }, { type: 'text', text: ' there' }]) });
    const answer = await router.chat({ model: 'claude-sonnet', messages: [{ role: 'system', content: 'be brief' }, { role: 'developer', content: 'no emoji' }, { role: 'user', content: 'hi' }], stop: 'END', temperature: 0.2, topP: 0.9 });
    const sent = server.lastMessages();
    // @anthropic-ai/sdk 1.x sends an apiKey as a bearer token (client.js apiKeyAuth), not as x-api-key.
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    // The SDK pins its own API version (2026-10-21 in 1.14), no longer 2023-06-01.
    expect(sent.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sent.body).toEqual({ model: 'claude-sonnet-5-5', max_tokens: 1024, system: 'be brief\n\nno emoji', messages: [{ role: 'user', content: 'hi' }], stop_sequences: ['END'], temperature: 0.2, top_p: 0.9 });
    expect(answer).toEqual({
      id: 'msg_01',
      extension: 'claude',
      attempts: [{ extension: 'claude', model: 'claude-sonnet-5-5', outcome: 'ok', ms: expect.any(Number) }],
      model: 'claude-sonnet-5-5',
      message: { role: 'assistant', content: 'Hello there' },
      finishReason: 'stop',
      usage: { promptTokens: 20, completionTokens: 7, totalTokens: 27 },
    });
  });

  it('translates images, tool calls, tool results, tools and tool choice; a tool_use answer becomes toolCalls', async () => {
    server.replies.push({ json: message([{ type: 'text', text: 'Let me look.' }, { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Bern' } }], 'tool_use', 'claude-haiku-4-5') });
    const answer = await router.chat({
      model: 'claude-haiku',
      maxTokens: 300,
      tools: [weather],
      toolChoice: 'required',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', imageUrl: { url: `data:image/png;base64,${PNG}` } }, { type: 'image_url', imageUrl: { url: 'https://example.com/cat.jpg' } }] },
        { role: 'assistant', content: null, toolCalls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Zurich"}' } }] },
        { role: 'tool', toolCallId: 'toolu_1', content: '12 degrees' },
      ],
    });
    const body = server.lastMessages().body;
    expect(body.model).toBe('claude-haiku-4-5');
    expect(body.max_tokens).toBe(300);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Zurich' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '12 degrees' }] },
    ]);
    expect(body.tools).toEqual([{ name: 'get_weather', description: 'Weather now', input_schema: weather.function.parameters }]);
    expect(body.tool_choice).toEqual({ type: 'any' });
    expect(answer).toMatchObject({
      extension: 'claude',
      model: 'claude-haiku-4-5',
      message: { role: 'assistant', content: 'Let me look.', toolCalls: [{ id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bern"}' } }] },
      finishReason: 'tool_calls',
    });
  });

  it('maps tool choices and the max_tokens stop reason', async () => {
    for (const [choice, expected] of [['auto', { type: 'auto' }], ['none', { type: 'none' }], [{ type: 'function', function: { name: 'get_weather' } }, { type: 'tool', name: 'get_weather' }]] as const) {
      server.replies.push({ json: message([{ type: 'text', text: 'cut' }], 'max_tokens') });
      const answer = await router.chat({ model: 'claude-opus', tools: [weather], toolChoice: choice, messages: [{ role: 'user', content: 'x' }] });
      expect(server.lastMessages().body).toMatchObject({ model: 'claude-opus-5-5', tool_choice: expected });
      expect(answer.finishReason).toBe('length');
    }
  });
});

describe('claude streams', () => {
  it('turns text events into role, content pieces, a finish reason and a final usage chunk', async () => {
    server.replies.push({
      events: [
        messageStart(),
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'ping' },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
        { type: 'content_block_stop', index: 0 },
        { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } },
        { type: 'message_stop' },
      ],
    });
    const chunks = await collect(router.chatStream({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] }));
    expect(server.lastMessages().body).toMatchObject({ model: 'claude-sonnet-5-5', stream: true, max_tokens: 1024 });
    expect(chunks[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((c) => c.delta.content ?? '').join('')).toBe('Hello');
    expect(chunks.filter((c) => c.finishReason).map((c) => c.finishReason)).toEqual(['stop']);
    expect(chunks.at(-1)).toMatchObject({ id: 'msg_stream', model: 'claude-sonnet-5-5', usage: { promptTokens: 12, completionTokens: 5, totalTokens: 17 } });
  });

  it('streams tool calls as fragments by index that reassemble into the calls', async () => {
    const tool = (index: number, id: string, pieces: string[]) => [
      { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: 'get_weather', input: {} } },
      ...pieces.map((partial_json) => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } })),
      { type: 'content_block_stop', index },
    ];
    server.replies.push({
      events: [
        messageStart(),
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking.' } },
        { type: 'content_block_stop', index: 0 },
        ...tool(1, 'toolu_a', ['{"ci', 'ty": "Bern"}']),
        ...tool(2, 'toolu_b', ['', '{"city": "Chur"}']),
        { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 40 } },
        { type: 'message_stop' },
      ],
    });
    const chunks = await collect(router.chatStream({ model: 'claude-sonnet-5-5', tools: [weather], messages: [{ role: 'user', content: 'weather?' }] }));
    expect(reassemble(chunks)).toEqual([
      { id: 'toolu_a', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Bern"}' } },
      { id: 'toolu_b', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Chur"}' } },
    ]);
    expect(chunks.find((c) => c.finishReason)?.finishReason).toBe('tool_calls');
    expect(chunks.at(-1)?.usage).toEqual({ promptTokens: 12, completionTokens: 40, totalTokens: 52 });
  });

  it("aborting the caller's signal closes the upstream request", async () => {
    server.replies.push({ hang: true });
    const controller = new AbortController();
    const stream = router.chatStream({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] }, { signal: controller.signal })[Symbol.asyncIterator]();
    // The role chunk is held back until the first token (resilience: an attempt that fails before content leaves no trace).
    const pending = stream.next();
    controller.abort(new Error('the client left'));
    await expect(pending).rejects.toThrow('the client left');
    await server.closed;
  });
});

describe('claude errors and health', () => {
  it('maps overloaded, rate-limited and invalid requests to ProviderError without the key', async () => {
    server.replies.push({ status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } });
    const overloaded = (await failure(router.chat({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] }))) as ProviderError;
    expect(overloaded).toBeInstanceOf(ProviderError);
    expect(overloaded).toMatchObject({ message: 'Anthropic answered 529: Overloaded', status: 529, providerCode: 'overloaded_error', extensionName: 'claude' });

    server.replies.push({ status: 429, error: { type: 'rate_limit_error', message: 'slow down' }, headers: { 'retry-after': '7' } });
    const limited = (await failure(router.chat({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] }))) as ProviderError;
    expect(limited).toMatchObject({ message: 'Anthropic answered 429: slow down', status: 429, providerCode: 'rate_limit_error', retryAfterMs: 7000 });

    server.replies.push({ status: 400, error: { type: 'invalid_request_error', message: `bad key ${KEY} echoed` } });
    const invalid = (await failure(collect(router.chatStream({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] })))) as ProviderError;
    expect(invalid).toMatchObject({ status: 400, providerCode: 'invalid_request_error' });
    expect(invalid.message).toBe('Anthropic answered 400: bad key *** echoed');
    expect(server.received).toHaveLength(3); // maxRetries: 0 — a 529 and a 429 are not retried by the SDK
  });

  it('a stream cut before message_stop is a ProviderError, not a short answer', async () => {
    server.replies.push({ events: [messageStart(), { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hal' } }] });
    const cut = (await failure(collect(router.chatStream({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] })))) as ProviderError;
    expect(cut).toBeInstanceOf(ProviderError);
    expect(cut).toMatchObject({ providerCode: 'stream_incomplete', message: expect.stringContaining('before message_stop') });
  });

  it("a prompt too long is a 400 with providerCode context_length_exceeded and Anthropic's message", async () => {
    for (const said of ['prompt is too long: 210000 tokens > 200000 maximum', 'input length and `max_tokens` exceed context limit: 197000 + 8192 > 200000, decrease input length or `max_tokens` and try again']) {
      server.replies.push({ status: 400, error: { type: 'invalid_request_error', message: said } });
      const error = (await failure(router.chat({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] }))) as ProviderError;
      expect(error).toMatchObject({ status: 400, providerCode: 'context_length_exceeded', message: `Anthropic answered 400: ${said}` });
    }
    // Other invalid requests keep the API's type.
    server.replies.push({ status: 400, error: { type: 'invalid_request_error', message: 'temperature: not allowed' } });
    await expect(failure(router.chat({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] }))).resolves.toMatchObject({ providerCode: 'invalid_request_error' });
  });

  it('a reset before any byte, and a connection that dies mid-stream, are connection_error without status', async () => {
    server.replies.push({ reset: true });
    const reset = (await failure(router.chat({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] }))) as ProviderError;
    expect(reset).toMatchObject({ status: undefined, providerCode: 'connection_error', message: expect.stringMatching(/^Anthropic could not be reached/) });
    server.replies.push({ die: true, events: [messageStart(), { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hal' } }] });
    const chunks: ChatChunk[] = [];
    const died = (await failure(
      (async () => {
        for await (const chunk of router.chatStream({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] })) chunks.push(chunk);
      })(),
    )) as ProviderError;
    expect(chunks.map((c) => c.delta.content)).toEqual(['', 'Hal']);
    expect(died).toBeInstanceOf(ProviderError);
    expect(died).toMatchObject({ status: undefined, providerCode: 'connection_error', message: expect.stringMatching(/^Anthropic dropped the connection while streaming: terminated/) });
  });

  it('health lists one model with the key', async () => {
    expect(await manager.checkHealth('claude')).toMatchObject({ healthy: true, models: ['claude-sonnet-5-5'] });
    const list = server.received.find((r) => r.url.startsWith('/v1/models'))!;
    expect(list.url).toBe('/v1/models?limit=1');
    expect(list.headers.authorization).toBe(`Bearer ${KEY}`);
  });
});
