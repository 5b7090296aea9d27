import { afterEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { getEventListeners } from 'node:events';
import type { Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import request from 'supertest';
import { ExtensionManager } from '../../src/index.js';
import { startGateway } from './support.js';

/*
 * Errors on the wire, in OpenAI's format ({ error: { message, type, param, code } }), from the gateway
 * app with the mock extension and its injected faults.
 */

let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const FAULT_FREE = { MOCK_FAIL_RATE: '0', MOCK_FAIL_STATUS: '503', MOCK_RETRY_AFTER_MS: '', MOCK_HANG: 'false', MOCK_CUT_AFTER_TOKENS: '', MOCK_STALL_AFTER_TOKENS: '' };

async function gatewayWith(env: Record<string, string> = {}) {
  gateway = await startGateway({ GLEITZEIT_EXTENSIONS: 'mock', GLEITZEIT_TIMEOUT_MS: '', GLEITZEIT_RESILIENCE: '{"retries":0,"breaker":false}', ...FAULT_FREE, ...env });
  return { http: request(gateway.url), client: gateway.client };
}

const hello = (extra: Record<string, unknown> = {}) => ({ model: 'mock', messages: [{ role: 'user', content: 'hello' }], ...extra });

describe('a malformed body is a 400 naming the field', () => {
  it.each([
    [{ messages: [{ role: 'user', content: 'x' }] }, 'model'],
    [{ model: 'mock' }, 'messages'],
    [{ model: 'mock', messages: [] }, 'messages'],
    [{ model: 'mock', messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
    [{ model: 'mock', messages: [{ role: 'user', content: 'x' }, { role: 'user', content: 42 }] }, 'messages[1].content'],
    [{ model: 'mock', messages: [{ role: 'user', content: [{ type: 'audio', data: 'x' }] }] }, 'messages[0].content'],
    [{ model: 'mock', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
    [hello({ temperature: 3 }), 'temperature'],
    [hello({ max_tokens: 0 }), 'max_tokens'],
    [hello({ stream: 'yes' }), 'stream'],
    [hello({ n: 2 }), 'n'],
    [hello({ tools: [{ type: 'retrieval' }] }), 'tools[0].type'],
    [hello({ tool_choice: 'sometimes' }), 'tool_choice'],
    [hello({ stop: ['a', 'b', 'c', 'd', 'e'] }), 'stop'],
    [hello({ model: 'x'.repeat(600) }), 'model'],
  ])('%j -> param %s', async (body, param) => {
    const { http } = await gatewayWith();
    const { body: answer } = await http.post('/v1/chat/completions').send(body).expect(400);
    expect(answer).toEqual({ error: { message: expect.stringContaining(`Invalid '${param}'`), type: 'invalid_request_error', param, code: null } });
  });

  it.each([
    [{}, 'model', 'must be a string'],
    [{ model: 123, messages: [{ role: 'user', content: 'x' }] }, 'model', 'must be a string'],
    [{ model: 'mock', messages: 'hi' }, 'messages', 'must be an array'],
    [{ model: 'mock' }, 'messages', 'must be an array'],
  ])('says the first problem of %j: %s %s', async (body, param, said) => {
    const { http } = await gatewayWith();
    const { body: answer } = await http.post('/v1/chat/completions').send(body).expect(400);
    expect(answer.error).toMatchObject({ param, message: `Invalid '${param}': ${said}.` });
  });

  it('ignores fields it does not know (clients send many), answers broken JSON with a 400 in the same format', async () => {
    const { http } = await gatewayWith();
    await http.post('/v1/chat/completions').send(hello({ frequency_penalty: 0.5, logprobs: false, metadata: { a: 'b' }, parallel_tool_calls: true })).expect(200);
    const broken = await http.post('/v1/chat/completions').set('content-type', 'application/json').send('{"model": "mock",').expect(400);
    expect(broken.body).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: null } });
    const embed = await http.post('/v1/embeddings').send({ model: 'mock-embed', input: [1, 2, 3] }).expect(400);
    expect(embed.body.error.param).toBe('input');
  });
});

describe('bodies shaped to exhaust the server', () => {
  // Written as text: neither supertest nor JSON.stringify (in jest's smaller stack) writes such nesting.
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`k${i}`, 0])));
  const body = (extra: string) => `{"model":"mock","messages":[{"role":"user","content":"hello"}],${extra}}`;
  const tool = (parameters: string) => `"tools":[{"type":"function","function":{"name":"f","parameters":${parameters}}}]`;

  it('ignores unknown fields whatever their shape, and refuses deep or wide known ones with a 400 naming where', async () => {
    const { http } = await gatewayWith();
    const post = (text: string) => http.post('/v1/chat/completions').set('content-type', 'application/json').send(text);
    const ignored = await post(body(`"x":${wide},"y":${nested(5000)}`));
    expect([ignored.status, ignored.body.error]).toEqual([200, undefined]);
    const deep = await post(body(tool(`{"p":${nested(3000)}}`))).expect(400);
    expect(deep.body.error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('nests deeper than 64 levels'), param: expect.stringMatching(/^tools\[0\]\.function\.parameters\.p/) });
    const broad = await post(body(tool(wide))).expect(400);
    expect(broad.body.error).toMatchObject({ param: 'tools[0].function.parameters', message: expect.stringContaining('80000 keys; the limit is 1000') });
    await http.get('/health/live').expect(200);
  });

  it('a __proto__ or constructor key in a body cannot lend a message a role it lacks, nor reach a prototype', async () => {
    const { http } = await gatewayWith();
    const post = (text: string) => http.post('/v1/chat/completions').set('content-type', 'application/json').send(text);
    const lent = await post('{"model":"mock","messages":[{"content":"hi","__proto__":{"role":"user"}}]}').expect(400);
    expect(lent.body.error).toMatchObject({ param: 'messages[0].role', message: expect.stringContaining('must be one of') });
    const ctor = await post('{"model":"mock","messages":[{"role":"user","content":"hi","constructor":{"prototype":{"polluted":true}}}]}').expect(200);
    expect(ctor.body.choices[0].message.content).toBe('hi');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await http.get('/health').expect(200)).body.details.mock).toMatchObject({ calls: 1 });
  });

  it('takes JSON only: a form a web page could post (no CORS preflight) never reaches a provider', async () => {
    const { http } = await gatewayWith();
    const form = await http.post('/v1/chat/completions').type('form').send('model=mock&messages[0][role]=user&messages[0][content]=hi').expect(400);
    expect(form.body.error.param).toBe('model');
    expect((await http.get('/health').expect(200)).body.details.mock).toMatchObject({ calls: 0 });
  });
});

describe('routing and provider errors', () => {
  it('an unknown model is a 404 with close matches; a model without the capability says which', async () => {
    const { http } = await gatewayWith();
    const { body } = await http.post('/v1/chat/completions').send(hello({ model: 'mock-chta' })).expect(404);
    expect(body.error).toMatchObject({ type: 'not_found_error', param: 'model', code: 'EXT_ERR_MODEL_NOT_FOUND', close_matches: expect.arrayContaining(['mock-chat']) });
    const embed = await http.post('/v1/chat/completions').send(hello({ model: 'mock-embed' })).expect(404);
    expect(embed.body.error.message).toContain('capabilities [text]');
    await http.get('/v1/models/nope').expect(404);
  });

  it('a provider 5xx is a 502 carrying its status and message', async () => {
    const { http } = await gatewayWith({ MOCK_FAIL_RATE: '1', MOCK_FAIL_STATUS: '500' });
    const { body } = await http.post('/v1/chat/completions').send(hello()).expect(502);
    expect(body.error).toMatchObject({ type: 'server_error', extension: 'mock', provider_status: 500, message: expect.stringContaining('HTTP 500') });
  });

  it("a provider's 429 stays a 429 with Retry-After, which the openai client reads as a RateLimitError", async () => {
    const { http, client } = await gatewayWith({ MOCK_FAIL_RATE: '1', MOCK_FAIL_STATUS: '429', MOCK_RETRY_AFTER_MS: '2500' });
    const answer = await http.post('/v1/chat/completions').send(hello()).expect(429);
    expect(answer.headers['retry-after']).toBe('3');
    expect(answer.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', retry_after_ms: 2500 });
    const error = await client.chat.completions.create(hello() as any).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('a client error the provider reports (400) passes through with its status', async () => {
    const { http } = await gatewayWith({ MOCK_FAIL_RATE: '1', MOCK_FAIL_STATUS: '400' });
    const { body } = await http.post('/v1/chat/completions').send(hello()).expect(400);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', provider_status: 400, extension: 'mock' });
  });

  it('a provider that hangs is a 504 at GLEITZEIT_TIMEOUT_MS, and its call is aborted', async () => {
    const { http } = await gatewayWith({ MOCK_HANG: 'true', GLEITZEIT_TIMEOUT_MS: '200' });
    const began = performance.now();
    const { body } = await http.post('/v1/chat/completions').send(hello()).expect(504);
    expect(performance.now() - began).toBeGreaterThanOrEqual(190);
    expect(body.error).toEqual({ message: 'Extension "mock" did not answer within 200 ms; the call was aborted.', type: 'timeout_error', param: null, code: 'EXT_ERR_TIMEOUT', extension: 'mock' });
    // The mock's hang ended because its signal aborted: it counted the call but did not serve it.
    expect((await http.get('/health').expect(200)).body.details.mock).toMatchObject({ calls: 1, served: 0 });
  });

  it('a provider that ignores its signal and never answers is still a 504 at GLEITZEIT_TIMEOUT_MS', async () => {
    const { http } = await gatewayWith({ GLEITZEIT_TIMEOUT_MS: '200' });
    // A careless provider: it never answers and never looks at its signal.
    const mock = gateway!.app.get(ExtensionManager).getInstance<{ chat: unknown }>('mock')!;
    mock.chat = () => new Promise(() => undefined);
    const began = performance.now();
    const { body } = await http.post('/v1/chat/completions').send(hello()).expect(504);
    expect(performance.now() - began).toBeLessThan(3000);
    expect(body.error).toMatchObject({ message: 'Extension "mock" did not answer within 200 ms; the call was aborted.', code: 'EXT_ERR_TIMEOUT' });
  });

  it("GLEITZEIT_TIMEOUT_MS limits each wait of a stream, not its length: a slow stream that keeps coming ends whole, a stalled one ends with the timeout", async () => {
    const words = 'a b c d e f g h';
    const slow = await gatewayWith({ MOCK_TOKEN_DELAY_MS: '100', GLEITZEIT_TIMEOUT_MS: '300' });
    const whole = await slow.http.post('/v1/chat/completions').send(hello({ stream: true, messages: [{ role: 'user', content: words }] })).expect(200);
    expect(whole.text).toContain('[DONE]');
    await gateway!.close();
    const stalled = await gatewayWith({ MOCK_STALL_AFTER_TOKENS: '1', GLEITZEIT_TIMEOUT_MS: '300' });
    const cut = await stalled.http.post('/v1/chat/completions').send(hello({ stream: true, messages: [{ role: 'user', content: words }] })).expect(200);
    expect(cut.text).not.toContain('[DONE]');
    expect(cut.text).toContain('did not answer within 300 ms');
  });

  it('a stream whose provider goes silent and ignores its signal still ends at GLEITZEIT_TIMEOUT_MS, and the client is told', async () => {
    const { http } = await gatewayWith({ GLEITZEIT_TIMEOUT_MS: '300' });
    // A careless provider: one chunk, then it waits forever and never looks at its signal.
    const mock = gateway!.app.get(ExtensionManager).getInstance<{ chatStream: unknown }>('mock')!;
    mock.chatStream = async function* () {
      yield { delta: { role: 'assistant', content: 'a' } };
      await new Promise(() => undefined);
    };
    const began = performance.now();
    const cut = await http.post('/v1/chat/completions').send(hello({ stream: true })).expect(200);
    expect(performance.now() - began).toBeLessThan(3000);
    expect(cut.text).not.toContain('[DONE]');
    expect(cut.text).toContain('did not answer within 300 ms');
  });

  it("makes no AbortSignal of the call's own: the provider's, of its attempt, is the only one a plain or streamed call makes, and nothing of ours listens on it", async () => {
    const { http } = await gatewayWith();
    const mock = gateway!.app.get(ExtensionManager).getInstance<Record<'chat' | 'chatStream', (request: unknown, options: { signal: AbortSignal }) => unknown>>('mock')!;
    const given: AbortSignal[] = [];
    const listening: number[] = [];
    for (const method of ['chat', 'chatStream'] as const) {
      const original = mock[method].bind(mock);
      mock[method] = (request, options) => (given.push(options.signal), listening.push(getEventListeners(options.signal, 'abort').length), original(request, options));
    }
    // Every AbortSignal made while the calls run, as its controller hands it out (on Node 20 each costs microseconds and lasting garbage).
    const descriptor = Object.getOwnPropertyDescriptor(AbortController.prototype, 'signal')!;
    const made = new Set<AbortSignal>();
    Object.defineProperty(AbortController.prototype, 'signal', { ...descriptor, get(this: AbortController) { const signal = descriptor.get!.call(this) as AbortSignal; made.add(signal); return signal; } });
    try {
      await http.post('/v1/chat/completions').send(hello()).expect(200);
      await http.post('/v1/chat/completions').send(hello({ stream: true })).expect(200);
    } finally {
      Object.defineProperty(AbortController.prototype, 'signal', descriptor);
    }
    expect(given).toHaveLength(2);
    expect([...made]).toEqual(given);
    // The router races its attempt on the attempt's own abort: the provider's signal has only the provider's listeners.
    expect(listening).toEqual([0, 0]);
  });

  it('makes the AbortSignal only for a provider that reads it: the mock with no latency costs a call none, and a provider that spreads its options gets one that aborts with the call', async () => {
    const { http } = await gatewayWith({ GLEITZEIT_TIMEOUT_MS: '300' });
    const descriptor = Object.getOwnPropertyDescriptor(AbortController.prototype, 'signal')!;
    let made = 0;
    Object.defineProperty(AbortController.prototype, 'signal', { ...descriptor, get(this: AbortController) { made++; return descriptor.get!.call(this); } });
    try {
      await http.post('/v1/chat/completions').send(hello()).expect(200);
      await http.post('/v1/chat/completions').send(hello({ stream: true })).expect(200);
      expect(made).toBe(0);
    } finally {
      Object.defineProperty(AbortController.prototype, 'signal', descriptor);
    }
    // A provider that copies its options, as one handing them to an SDK might, still gets the real signal.
    const mock = gateway!.app.get(ExtensionManager).getInstance<{ chat: unknown }>('mock')!;
    let copied: AbortSignal | undefined;
    mock.chat = (_request: unknown, options: { signal: AbortSignal }) => ((copied = { ...options }.signal), new Promise(() => undefined));
    await http.post('/v1/chat/completions').send(hello()).expect(504);
    expect(copied).toBeInstanceOf(AbortSignal);
    expect(copied!.reason).toMatchObject({ code: 'EXT_ERR_TIMEOUT' });
  });

  it('a client that stops reading a long stream holds it no longer than GLEITZEIT_TIMEOUT_MS: the wait for it to catch up is aborted, and so is the provider', async () => {
    await gatewayWith({ GLEITZEIT_TIMEOUT_MS: '400' });
    const mock = gateway!.app.get(ExtensionManager).getInstance<Record<'chatStream', (request: unknown, options: { signal: AbortSignal }) => AsyncIterable<unknown>>>('mock')!;
    const original = mock.chatStream.bind(mock);
    let provider: AbortSignal | undefined;
    mock.chatStream = (request, options) => ((provider = options.signal), original(request, options));
    // About 20 MB of events for a client that reads none of them: the response's buffer fills and stays full.
    const body = JSON.stringify(hello({ stream: true, messages: [{ role: 'user', content: 'word '.repeat(150_000) }] }));
    let response: ServerResponse | undefined;
    (gateway!.app.getHttpServer() as Server).prependListener('request', (_req, res) => (response = res));
    const { port } = new URL(gateway!.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.pause();
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    try {
      const began = performance.now();
      while (!(provider?.aborted && response?.writableEnded) && performance.now() - began < 10_000) await new Promise((resolve) => setTimeout(resolve, 20));
      // The call's own limit, not an attempt's: the gateway was waiting on the client, not on the provider.
      expect(provider?.reason).toMatchObject({ code: 'EXT_ERR_TIMEOUT', message: 'Extension "mock" did not answer within 400 ms; the call was aborted.' });
      // The gateway stopped waiting for the client to catch up and ended its answer (an error event).
      expect(response?.writableEnded).toBe(true);
      expect(performance.now() - began).toBeLessThan(8_000);
    } finally {
      socket.destroy();
    }
  });

  it('a stream that fails before its first chunk answers with an HTTP status, not a 200 stream', async () => {
    const { http } = await gatewayWith({ MOCK_FAIL_RATE: '1', MOCK_FAIL_STATUS: '503' });
    const answer = await http.post('/v1/chat/completions').send(hello({ stream: true })).expect(502);
    expect(answer.headers['content-type']).toContain('application/json');
  });

  it('a stream cut mid-way ends with an error event and no [DONE]; the openai client raises it', async () => {
    const { http, client } = await gatewayWith({ MOCK_CUT_AFTER_TOKENS: '2' });
    const raw = await http.post('/v1/chat/completions').send(hello({ stream: true, messages: [{ role: 'user', content: 'one two three four' }] })).expect(200);
    expect(raw.text).not.toContain('[DONE]');
    expect(raw.text).toContain('"error":{"message":"Extension \\"mock\\" (model mock-chat) ended its stream before the answer was complete');
    const stream = await client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'one two three four' }], stream: true });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(text).toBe('one two');
  });
});
