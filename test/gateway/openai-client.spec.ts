import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { FakeAnthropic, message, messageStart } from '../support/anthropic-server.js';
import { KEY as OPENAI_KEY, startOpenAiServer, type Seen } from '../support/openai-server.js';
import { readStream, startGateway } from './support.js';

/*
 * The official `openai` client, pointed at the gateway, against every shipped extension: mock (no
 * key), openai (a local server speaking OpenAI's wire format) and claude (one speaking Anthropic's).
 */

const ANTHROPIC_KEY = 'sk-ant-gateway-0123456789';
const anthropic = new FakeAnthropic();
let upstream: Awaited<ReturnType<typeof startOpenAiServer>>;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startOpenAiServer();
  await anthropic.start();
  gateway = await startGateway({
    GLEITZEIT_EXTENSIONS: '',
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: upstream.baseUrl,
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: anthropic.url,
  });
  client = gateway.client;
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await anthropic.stop();
});
beforeEach(() => {
  upstream.seen.length = 0;
  anthropic.received.length = 0;
  anthropic.replies.length = 0;
});

const hi = (model: string, text = 'hello') => ({ model, messages: [{ role: 'user' as const, content: text }] });
const weather = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const lastText = (s: Seen) => s.body.messages?.at(-1)?.content;
const lastChat = (): Seen => upstream.seen.filter((s) => s.url === '/v1/chat/completions').at(-1)!;

describe('GET /v1/models', () => {
  it('lists every routable model and alias of every shipped extension, as models.list() reads it', async () => {
    const ids = new Map<string, string>();
    for await (const model of client.models.list()) ids.set(model.id, model.owned_by);
    expect(ids.get('mock')).toBe('mock');
    expect(ids.get('mock-embed')).toBe('mock');
    expect(ids.get('gpt-4o')).toBe('openai');
    expect(ids.get('text-embedding-3-small')).toBe('openai');
    expect(ids.get('claude-sonnet-5-5')).toBe('claude');
    expect(ids.get('claude-sonnet')).toBe('claude');
    // Patterns route (gpt-4*) but are not names a client can pick.
    expect([...ids.keys()].filter((id) => /[*?]/.test(id))).toEqual([]);
    expect(await client.models.retrieve('claude-sonnet')).toMatchObject({ id: 'claude-sonnet', object: 'model', owned_by: 'claude' });
  });
});

describe('mock through the gateway', () => {
  it('answers plain, streamed (with usage, then [DONE]) and with tools', async () => {
    const plain = await client.chat.completions.create(hi('mock', 'hello gateway'));
    expect(plain).toMatchObject({ object: 'chat.completion', model: 'mock-chat', choices: [{ index: 0, message: { role: 'assistant', content: 'hello gateway' }, finish_reason: 'stop' }] });
    expect(plain.id).toMatch(/^chatcmpl-/);
    expect(plain.usage).toEqual({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });

    const streamed = await readStream(await client.chat.completions.create({ ...hi('mock', 'one two three'), stream: true, stream_options: { include_usage: true } }));
    expect(streamed).toMatchObject({ text: 'one two three', finish: 'stop', usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 } });
    expect(streamed.ids.size).toBe(1);

    const noUsage = await readStream(await client.chat.completions.create({ ...hi('mock', 'quiet'), stream: true }));
    expect(noUsage.usage).toBeUndefined();

    const tools = await client.chat.completions.create({ ...hi('mock', 'weather in Bern?'), tools: [weather] });
    expect(tools.choices[0].finish_reason).toBe('tool_calls');
    expect(tools.choices[0].message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    const streamedTools = await readStream(await client.chat.completions.create({ ...hi('mock', 'weather?'), tools: [weather], stream: true }));
    expect(streamedTools.finish).toBe('tool_calls');
    expect(streamedTools.calls[0].name).toBe('get_weather');
    expect(() => JSON.parse(streamedTools.calls[0].arguments)).not.toThrow();
  });

  it('embeds with floats, and with base64 (the SDK default) decoded to the same vectors', async () => {
    const floats = await client.embeddings.create({ model: 'mock-embed', input: ['a', 'b'], encoding_format: 'float' });
    const decoded = await client.embeddings.create({ model: 'mock-embed', input: ['a', 'b'] });
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0].embedding).toHaveLength(16);
    expect(decoded.data.map((d) => d.embedding.map((x) => Math.fround(x)))).toEqual(floats.data.map((d) => d.embedding.map((x) => Math.fround(x))));
    expect(floats.model).toBe('mock-embed');
  });
});

describe('openai through the gateway', () => {
  it('sends the key and the real model, answers plain and streamed with usage', async () => {
    const plain = await client.chat.completions.create({ ...hi('openai:gpt-4o', 'ping'), temperature: 0.3, max_tokens: 50, seed: 7 });
    expect(lastChat().headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(lastChat().body).toMatchObject({ model: 'gpt-4o', messages: [{ role: 'user', content: 'ping' }], temperature: 0.3, max_completion_tokens: 50, seed: 7 });
    expect(plain.choices[0].message.content).toBe('openai says ping');
    expect(plain.model).toBe('gpt-4o-2024-08-06');
    expect(plain.usage).toEqual({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });

    const streamed = await readStream(await client.chat.completions.create({ ...hi('gpt-4o', 'pong'), stream: true, stream_options: { include_usage: true } }));
    expect(streamed).toMatchObject({ text: 'openai says pong', finish: 'stop', usage: { total_tokens: 18 } });
  });

  it('passes tools through and returns the tool calls, plain and streamed', async () => {
    const plain = await client.chat.completions.create({ ...hi('gpt-4o', 'weather?'), tools: [weather], tool_choice: 'auto' });
    expect(lastChat().body).toMatchObject({ tools: [weather], tool_choice: 'auto' });
    expect(plain.choices[0].message.tool_calls).toEqual([{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } }]);
    const streamed = await readStream(await client.chat.completions.create({ ...hi('gpt-4o', 'weather?'), tools: [weather], stream: true }));
    expect(streamed.calls).toEqual([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Berlin"}' }]);
    expect(streamed.finish).toBe('tool_calls');
  });

  it('embeds through OpenAI', async () => {
    const answer = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['x', 'y'] });
    expect(upstream.seen.at(-1)).toMatchObject({ url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: ['x', 'y'] } });
    expect(answer.data.map((d) => d.embedding)).toEqual([[0, 0.5, -0.25], [1, 0.5, -0.25]]);
  });
});

describe('claude through the gateway', () => {
  it('translates a plain call both ways, with the real model for the alias', async () => {
    anthropic.replies.push({ json: message([{ type: 'text', text: 'Hello from Claude' }]) });
    const plain = await client.chat.completions.create({ model: 'claude-sonnet', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }] });
    const sent = anthropic.lastMessages();
    expect(sent.headers.authorization).toBe(`Bearer ${ANTHROPIC_KEY}`);
    expect(sent.body).toMatchObject({ model: 'claude-sonnet-5-5', system: 'be brief', messages: [{ role: 'user', content: 'hi' }] });
    expect(plain).toMatchObject({ model: 'claude-sonnet-5-5', choices: [{ message: { content: 'Hello from Claude' }, finish_reason: 'stop' }], usage: { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 } });
  });

  it('streams, and returns tool calls', async () => {
    anthropic.replies.push({
      events: [
        messageStart(),
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
        { type: 'content_block_stop', index: 0 },
        { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } },
        { type: 'message_stop' },
      ],
    });
    const streamed = await readStream(await client.chat.completions.create({ ...hi('claude-sonnet'), stream: true, stream_options: { include_usage: true } }));
    expect(streamed).toMatchObject({ text: 'Hello', finish: 'stop', usage: { prompt_tokens: 12, completion_tokens: 5 } });

    anthropic.replies.push({ json: message([{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Bern' } }], 'tool_use') });
    const tools = await client.chat.completions.create({ ...hi('claude-sonnet', 'weather?'), tools: [weather] });
    expect(anthropic.lastMessages().body.tools).toEqual([{ name: 'get_weather', description: 'Weather now', input_schema: weather.function.parameters }]);
    expect(tools.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bern"}' } }] } });
  });

  it('has no embeddings: a 404 that says which capability the model lacks', async () => {
    const error = (await client.embeddings.create({ model: 'claude-sonnet', input: 'x' }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.message).toContain('embeddings');
  });
});

describe('a client that leaves', () => {
  it('aborts a plain call whose client disconnects, and logs no error for it', async () => {
    const controller = new AbortController();
    const pending = client.chat.completions.create(hi('gpt-4o', 'hang'), { signal: controller.signal }).catch((e: unknown) => e);
    const deadline = Date.now() + 3000;
    while (!upstream.seen.some((s) => lastText(s) === 'hang') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const call = upstream.seen.find((s) => lastText(s) === 'hang')!;
    controller.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    while (call.closedEarly !== true && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(call.closedEarly).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(gateway.logs.lines.filter((line) => /^(error|warn):/.test(line) && /client/.test(line))).toEqual([]);
  });

  it('closes the connection to the provider when it disconnects mid-stream', async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ ...hi('gpt-4o', 'stall'), stream: true }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.choices[0].delta.content).toBe('wait');
    const call = lastChat();
    expect(call.closedEarly).toBeUndefined();
    controller.abort();
    const deadline = Date.now() + 3000;
    while (call.closedEarly !== true && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(call.closedEarly).toBe(true);
  });
});

describe('provider errors through the gateway', () => {
  it("relays OpenAI's 401 as a 502 with the key masked, and a context-length 400 as a 400 with its code", async () => {
    const auth = (await client.chat.completions.create(hi('gpt-4o', 'auth')).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(auth).toBeInstanceOf(OpenAI.InternalServerError);
    expect(auth.status).toBe(502);
    expect(auth.message).toContain('Incorrect API key provided: ***');
    expect(JSON.stringify(auth.error)).not.toContain(OPENAI_KEY);
    expect(gateway.logs.text).not.toContain(OPENAI_KEY);
    const long = (await client.chat.completions.create(hi('gpt-4o', 'long')).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(long).toBeInstanceOf(OpenAI.BadRequestError);
    expect(long.code).toBe('context_length_exceeded');
    expect(long.message).toContain('maximum context length');
  });
});
