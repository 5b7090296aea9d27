import { describe, expect, it } from '@jest/globals';
import { ModelNotFound, ProviderError, type ChatChunk, type ToolCall } from '../../src/index.js';
import { ask, collect, failure, loadMock } from '../support/mock.js';
import { reassemble, textOf } from '../support/chunks.js';

const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, days: { type: 'integer', minimum: 3 } }, required: ['city'] },
  },
};
const clock = { type: 'function' as const, function: { name: 'get_time' } };

describe('the mock extension answers deterministically', () => {
  it('echoes the latest user message after the prefix, with word counts as usage, the same every time', async () => {
    const { router, manager } = await loadMock({ prefix: 'mock says: ' });
    const request = ask('hello there', { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello there' }] });
    const answer = await router.chat(request);
    expect(answer).toMatchObject({
      extension: 'mock',
      model: 'mock-chat',
      message: { role: 'assistant', content: 'mock says: hello there' },
      finishReason: 'stop',
      usage: { promptTokens: 4, completionTokens: 4, totalTokens: 8 },
    });
    const again = await router.chat(request);
    expect({ ...again, id: undefined, attempts: undefined }).toEqual({ ...answer, id: undefined, attempts: undefined });
    expect(await manager.checkHealth('mock')).toMatchObject({ healthy: true, served: 2, calls: 2 });
  });

  it('routes its alias and qualified ids, sending the model its own name', async () => {
    const { router } = await loadMock();
    for (const model of ['mock', 'mock-chat', 'mock:mock', 'mock/mock-chat']) {
      await expect(router.chat(ask('hi', { model }))).resolves.toMatchObject({ extension: 'mock', model: 'mock-chat', message: { content: 'hi' } });
    }
    expect(router.getAvailableModels()['mock-chat'].capabilities).toEqual(['text', 'function_calling', 'vision', 'streaming', 'prefill']);
  });

  it('streams the same answer one word per chunk: the role first, then the finish reason, then usage', async () => {
    const { router } = await loadMock({ prefix: '> ' });
    const request = ask('one two three four');
    const whole = await router.chat(request);
    const chunks = await collect(router.chatStream(request));
    expect(chunks[0].delta).toEqual({ role: 'assistant', content: '' });
    const words = chunks.slice(1, -2).map((c) => c.delta.content);
    expect(words).toEqual(['>', ' one', ' two', ' three', ' four']);
    expect(textOf(chunks)).toBe(whole.message.content);
    expect(chunks.at(-2)).toMatchObject({ delta: {}, finishReason: 'stop' });
    expect(chunks.at(-1)).toMatchObject({ delta: {}, usage: whole.usage });
    expect(chunks.filter((c) => c.finishReason).length).toBe(1);
    expect(new Set(chunks.map((c) => c.model))).toEqual(new Set(['mock-chat']));
  });

  it('counts image parts (which need vision) and answers their text', async () => {
    const { router } = await loadMock();
    const content = [{ type: 'text' as const, text: 'what is this' }, { type: 'image_url' as const, imageUrl: { url: 'data:image/png;base64,AA==' } }];
    const answer = await router.chat({ model: 'mock', messages: [{ role: 'user', content }] });
    expect(answer).toMatchObject({ message: { content: 'what is this' }, usage: { promptTokens: 4, completionTokens: 3 } });
  });
});

describe('the mock calls tools', () => {
  it('answers offered tools with a call to the first, arguments filled from its schema', async () => {
    const { router } = await loadMock();
    const answer = await router.chat(ask('Berlin', { tools: [weather, clock] }));
    expect(answer.finishReason).toBe('tool_calls');
    expect(answer.message.content).toBeNull();
    const [call] = answer.message.toolCalls!;
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(call.id).toMatch(/^call_[0-9a-f]{8}$/);
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Berlin', unit: 'celsius', days: 3 });
    expect((await router.chat(ask('Berlin', { tools: [weather, clock] }))).message.toolCalls).toEqual([call]);
  });

  it('calls the tool toolChoice names, none for "none", and answers a tool result with text', async () => {
    const { router } = await loadMock();
    const named = await router.chat(ask('x', { tools: [weather, clock], toolChoice: { type: 'function', function: { name: 'get_time' } } }));
    expect(named.message.toolCalls![0].function).toEqual({ name: 'get_time', arguments: '{}' });
    await expect(router.chat(ask('plain', { tools: [weather], toolChoice: 'none' }))).resolves.toMatchObject({ finishReason: 'stop', message: { content: 'plain' } });
    const call = named.message.toolCalls![0];
    const result = await router.chat({
      model: 'mock',
      tools: [clock],
      messages: [{ role: 'user', content: 'time?' }, { role: 'assistant', content: null, toolCalls: [call] }, { role: 'tool', toolCallId: call.id, content: '12:00' }],
    });
    expect(result).toMatchObject({ finishReason: 'stop', message: { content: '12:00' } });
    const error = await failure(router.chat(ask('x', { tools: [weather], toolChoice: { type: 'function', function: { name: 'nope' } } })));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 400, providerCode: 'invalid_request_error' });
    expect(error.message).toContain('toolChoice names the function "nope", which is not among the tools offered (get_weather)');
  });

  it('streams a tool call as fragments (id and name first, arguments in pieces) that reassemble to the same call', async () => {
    const { router } = await loadMock();
    const request = ask('Berlin', { tools: [weather] });
    const whole = await router.chat(request);
    const chunks = await collect(router.chatStream(request));
    expect(chunks[0].delta).toEqual({ role: 'assistant', toolCalls: [{ index: 0, id: whole.message.toolCalls![0].id, type: 'function', function: { name: 'get_weather', arguments: '' } }] });
    const pieces = chunks.slice(1, -2);
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces) expect(piece.delta.toolCalls).toEqual([{ index: 0, function: { arguments: expect.any(String) } }]);
    expect(reassemble(chunks)).toEqual(whole.message.toolCalls);
    expect(chunks.at(-2)!.finishReason).toBe('tool_calls');
    expect(chunks.at(-1)!.usage).toEqual(whole.usage);
  });
});

describe('the mock honours maxTokens, stop and responseFormat', () => {
  it('cuts the answer at maxTokens with finishReason "length", plain and streamed', async () => {
    const { router } = await loadMock();
    const request = ask('a b c d e f', { maxTokens: 4 });
    await expect(router.chat(request)).resolves.toMatchObject({ message: { content: 'a b c d' }, finishReason: 'length', usage: { completionTokens: 4 } });
    const chunks = await collect(router.chatStream(request));
    expect(textOf(chunks)).toBe('a b c d');
    expect(chunks.at(-2)!.finishReason).toBe('length');
    await expect(router.chat(ask('a b', { maxTokens: 2 }))).resolves.toMatchObject({ finishReason: 'stop' });
    const error = await failure(router.chat(ask('a', { maxTokens: 0 })));
    expect(error).toMatchObject({ status: 400, message: expect.stringContaining('maxTokens must be a whole number of at least 1; got 0') });
  });

  it('stops before the earliest stop sequence', async () => {
    const { router } = await loadMock();
    await expect(router.chat(ask('one two. three END four', { stop: ['END', '.'] }))).resolves.toMatchObject({ message: { content: 'one two' }, finishReason: 'stop' });
    await expect(router.chat(ask('one two', { stop: 'zzz' }))).resolves.toMatchObject({ message: { content: 'one two' } });
  });

  it('answers valid JSON for json_object (also streamed) and an instance of the schema for json_schema', async () => {
    const { router } = await loadMock({ prefix: 'p: ' });
    const request = ask('say "hi"', { responseFormat: { type: 'json_object' } });
    const answer = await router.chat(request);
    expect(JSON.parse(answer.message.content!)).toEqual({ answer: 'p: say "hi"' });
    expect(JSON.parse(textOf(await collect(router.chatStream(request))))).toEqual({ answer: 'p: say "hi"' });
    const schema = { type: 'object', properties: { title: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, ok: { type: 'boolean' } } };
    const typed = await router.chat(ask('x', { responseFormat: { type: 'json_schema', jsonSchema: { name: 'card', schema } } }));
    expect(JSON.parse(typed.message.content!)).toEqual({ title: 'p: x', tags: ['p: x'], ok: true });
  });
});

describe('the mock embeds', () => {
  it('gives deterministic unit vectors of the default 16 dimensions, or the dimensions asked for', async () => {
    const { router } = await loadMock();
    const first = await router.embed({ model: 'mock-embed', input: ['alpha', 'beta'] });
    expect(first).toMatchObject({ extension: 'mock', model: 'mock-embed', usage: { promptTokens: 2, totalTokens: 2 } });
    expect(first.data.map((d) => [d.index, d.embedding.length])).toEqual([[0, 16], [1, 16]]);
    for (const { embedding } of first.data) expect(Math.hypot(...embedding)).toBeCloseTo(1, 10);
    expect(first.data[0].embedding).not.toEqual(first.data[1].embedding);
    const other = await loadMock();
    await expect(other.router.embed({ model: 'mock:mock-embed', input: 'alpha' })).resolves.toMatchObject({ data: [{ index: 0, embedding: first.data[0].embedding }] });
    const small = await router.embed({ model: 'mock-embed', input: 'alpha', dimensions: 8 });
    expect(small.data[0].embedding).toHaveLength(8);
    const configured = await loadMock({ dimensions: 4 });
    expect((await configured.router.embed({ model: 'mock-embed', input: 'alpha' })).data[0].embedding).toHaveLength(4);
  });

  it('refuses bad dimensions with a 400, and a chat model for embeddings with ModelNotFound', async () => {
    const { router } = await loadMock();
    const error = await failure(router.embed({ model: 'mock-embed', input: 'x', dimensions: 0 }));
    expect(error).toMatchObject({ status: 400, providerCode: 'invalid_request_error', message: expect.stringContaining('dimensions must be a whole number from 1 to 4096; got 0') });
    await expect(router.embed({ model: 'mock', input: 'x' })).rejects.toThrow(ModelNotFound);
  });
});

describe('the mock is configured like any extension', () => {
  it('reads MOCK_* environment variables, and shows its settings unmasked', async () => {
    const { router, manager } = await loadMock({}, { MOCK_PREFIX: 'env: ', MOCK_TOKEN_DELAY_MS: '1', MOCK_TIME_TO_FIRST_TOKEN_MS: '2', MOCK_DIMENSIONS: '5' });
    await expect(router.chat(ask('x'))).resolves.toMatchObject({ message: { content: 'env: x' } });
    const { config } = await manager.getExtensionInfo('mock');
    expect(config).toMatchObject({ prefix: 'env: ', tokenDelayMs: 1, timeToFirstTokenMs: 2, dimensions: 5, failRate: 0, failStatus: 503, hang: false });
  });

  it('refuses a fail rate outside 0..1, naming the field', async () => {
    await expect(loadMock({ failRate: 1.5 })).rejects.toThrow('failRate: must be at most 1');
  });
});
