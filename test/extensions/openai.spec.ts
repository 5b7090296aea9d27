import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { inspect } from 'node:util';
import { ExtensionManager, ProviderError, SHIPPED_EXTENSIONS, type ChatChunk, type ModelRouter, type ToolCall } from '../../src/index.js';
import { collect, failure, SINGLE_ATTEMPT } from '../support/mock.js';
import { KEY, startOpenAiServer, type Seen } from '../support/openai-server.js';
import { reassemble } from '../support/chunks.js';
import { toProviderError } from '../../extensions/openai/errors.js';

let fake: Awaited<ReturnType<typeof startOpenAiServer>>;
let manager: ExtensionManager;
let router: ModelRouter;

/** What the SDK logged with console.error: its two lines about a stream event that is not JSON (kept out of the output). */
const sdkLogged: string[] = [];
let consoleError: ReturnType<typeof jest.spyOn>;

beforeAll(async () => {
  // Before the first stream: the SDK binds console.error once per client and keeps it.
  const original = console.error.bind(console);
  consoleError = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    if (/^(Could not parse message into JSON:|From chunk:)/.test(String(args[0]))) sdkLogged.push(String(args[0]));
    else original(...args);
  });
  fake = await startOpenAiServer();
  manager = new ExtensionManager(SINGLE_ATTEMPT, { env: () => undefined });
  await manager.discoverExtensions([SHIPPED_EXTENSIONS]);
  await manager.loadExtension('openai', { apiKey: KEY, baseUrl: fake.baseUrl });
  router = manager.modelRouter;
});

afterAll(async () => {
  consoleError.mockRestore();
  await manager.unloadExtension('openai').catch(() => undefined);
  await fake.close();
});

const lastCall = (url = '/v1/chat/completions'): Seen => fake.seen.filter((s) => s.url === url).at(-1)!;
const ask = (text: string, model = 'gpt-4o') => ({ model, messages: [{ role: 'user' as const, content: text }] });

const weather = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('the openai extension, on the official SDK, against a local OpenAI wire server', () => {
  it('sends the key, the real model name of a qualified id, and every request field in snake_case', async () => {
    const answer = await router.chat({
      model: 'openai:gpt-4o-mini',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', imageUrl: { url: 'data:image/png;base64,AA==', detail: 'low' } }] },
      ],
      responseFormat: { type: 'json_schema', jsonSchema: { name: 'thing', schema: { type: 'object' }, strict: true } },
      temperature: 0.2,
      topP: 0.9,
      maxTokens: 50,
      stop: ['\n\n'],
      seed: 7,
      user: 'u-1',
    });
    const call = lastCall();
    expect(call.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(call.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==', detail: 'low' } }] },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'thing', schema: { type: 'object' }, strict: true } },
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 50,
      stop: ['\n\n'],
      seed: 7,
      user: 'u-1',
    });
    expect(answer).toEqual({
      extension: 'openai',
      attempts: [{ extension: 'openai', model: 'gpt-4o-mini', outcome: 'ok', ms: expect.any(Number) }],
      id: 'chatcmpl-1',
      model: 'gpt-4o-mini-2024-08-06',
      message: { role: 'assistant', content: 'openai says what is this' },
      finishReason: 'stop',
      usage: { promptTokens: 11, completionTokens: 7, totalTokens: 18 },
    });
  });

  it('sends tools, tool choice, assistant tool calls and tool results, and reads the tool call back', async () => {
    const answer = await router.chat({
      model: 'gpt-4o',
      tools: [weather],
      toolChoice: 'auto',
      messages: [
        { role: 'user', content: 'weather in Berlin?' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', toolCallId: 'call_0', content: '{"celsius":18}' },
      ],
    });
    expect(lastCall().body).toMatchObject({
      tools: [weather],
      tool_choice: 'auto',
      messages: [
        { role: 'user', content: 'weather in Berlin?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_0', content: '{"celsius":18}' },
      ],
    });
    expect(answer).toMatchObject({
      message: { content: null, toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } }] },
      finishReason: 'tool_calls',
    });
  });

  it('streams content with include_usage, then the finish reason, then usage', async () => {
    const chunks = await collect(router.chatStream(ask('hi')));
    expect(lastCall().body).toMatchObject({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true } });
    expect(chunks.map((c) => c.delta.content ?? '').join('')).toBe('openai says hi');
    expect(chunks[0].delta.role).toBe('assistant');
    expect(chunks.filter((c) => c.finishReason)).toHaveLength(1);
    expect(chunks.at(-2)?.finishReason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ delta: {}, usage: { promptTokens: 11, completionTokens: 7, totalTokens: 18 } });
  });

  it('streams tool-call fragments that reassemble into the call', async () => {
    const chunks = await collect(router.chatStream({ ...ask('weather?'), tools: [weather] }));
    expect(reassemble(chunks)).toEqual([{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } }]);
    expect(chunks.find((c) => c.finishReason)?.finishReason).toBe('tool_calls');
  });

  it('embeds with an embeddings model', async () => {
    const answer = await router.embed({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 3 });
    expect(lastCall('/v1/embeddings').body).toEqual({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 3, encoding_format: 'float' });
    expect(answer).toEqual({
      extension: 'openai',
      model: 'text-embedding-3-small',
      data: [{ index: 0, embedding: [0, 0.5, -0.25] }, { index: 1, embedding: [1, 0.5, -0.25] }],
      usage: { promptTokens: 4, totalTokens: 4 },
    });
  });

  it('health lists the models with the key', async () => {
    await expect(manager.checkHealth('openai')).resolves.toMatchObject({ healthy: true, statusCode: 200 });
    expect(lastCall('/v1/models').headers.authorization).toBe(`Bearer ${KEY}`);
  });
});

describe('errors and aborts', () => {
  it('a 429 is a ProviderError with status, code and Retry-After in ms, sent once (no SDK retries)', async () => {
    const before = fake.seen.length;
    const error = (await failure(router.chat(ask('rate')))) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 429, providerCode: 'rate_limit_exceeded', retryAfterMs: 2000, message: 'OpenAI answered 429: Rate limit reached for gpt-4o' });
    expect(fake.seen.length).toBe(before + 1);
    await expect(failure(router.chat(ask('rate-ms')))).resolves.toMatchObject({ status: 429, providerCode: 'requests', retryAfterMs: 1500 });
  });

  it('a 400 context_length_exceeded keeps its code, in plain and streamed calls', async () => {
    const expected = { status: 400, providerCode: 'context_length_exceeded', message: "OpenAI answered 400: This model's maximum context length is 128000 tokens." };
    await expect(failure(router.chat(ask('long')))).resolves.toMatchObject(expected);
    await expect(failure(collect(router.chatStream(ask('long'))))).resolves.toMatchObject(expected);
  });

  it('a 401 that echoes the key never shows it, not in the message nor anywhere in the error', async () => {
    const error = (await failure(router.chat(ask('auth')))) as ProviderError;
    expect(error).toMatchObject({ status: 401, providerCode: 'invalid_api_key' });
    expect(error.message).toMatch(/^OpenAI answered 401: Incorrect API key provided/);
    expect(error.message).not.toContain(KEY);
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
  });

  it('a 500 and a 503 keep their status; the 503 carries its retry-after', async () => {
    await expect(failure(router.chat(ask('500')))).resolves.toMatchObject({
      status: 500,
      providerCode: 'server_error',
      retryAfterMs: undefined,
      message: 'OpenAI answered 500: The server had an error while processing your request.',
    });
    const expected = { status: 503, providerCode: 'server_error', retryAfterMs: 1000, message: 'OpenAI answered 503: The server is overloaded or not ready yet.' };
    await expect(failure(router.chat(ask('503')))).resolves.toMatchObject(expected);
    await expect(failure(collect(router.chatStream(ask('503'))))).resolves.toMatchObject(expected);
  });

  it("a 400 content_policy_violation becomes providerCode content_filter, with OpenAI's reason", async () => {
    const expected = { status: 400, providerCode: 'content_filter', message: 'OpenAI answered 400: Your request was rejected as a result of our safety system.' };
    await expect(failure(router.chat(ask('content-policy')))).resolves.toMatchObject(expected);
    await expect(failure(collect(router.chatStream(ask('content-policy'))))).resolves.toMatchObject(expected);
  });

  it('a connection reset before any byte is a ProviderError without status, providerCode connection_error', async () => {
    for (const call of [() => router.chat(ask('reset')), () => collect(router.chatStream(ask('reset')))]) {
      const error = (await failure(call())) as ProviderError;
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ status: undefined, providerCode: 'connection_error', retryAfterMs: undefined, extensionName: 'openai' });
      expect(error.message).toBe('OpenAI could not be reached (fetch failed: other side closed)');
    }
    // The server is fine afterwards: the next request answers.
    await expect(router.chat(ask('hi'))).resolves.toMatchObject({ message: { content: 'openai says hi' } });
  });

  it('an error event inside a stream is a ProviderError with its code and the key masked', async () => {
    const chunks: ChatChunk[] = [];
    const error = (await failure(
      (async () => {
        for await (const chunk of router.chatStream(ask('stream-error'))) chunks.push(chunk);
      })(),
    )) as ProviderError;
    expect(chunks.map((c) => c.delta.content)).toEqual(['partial']);
    expect(error).toMatchObject({ status: undefined, providerCode: 'server_error' });
    expect(error.message).toBe('OpenAI sent an error inside the stream: upstream failed for Bearer ***');
  });

  it('a stream whose connection dies after two content chunks delivers them, then fails with connection_error', async () => {
    const chunks: ChatChunk[] = [];
    const error = (await failure(
      (async () => {
        for await (const chunk of router.chatStream(ask('die'))) chunks.push(chunk);
      })(),
    )) as ProviderError;
    expect(chunks.map((c) => c.delta.content)).toEqual(['', 'openai', ' says']);
    expect(chunks.some((c) => c.finishReason)).toBe(false);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: undefined, providerCode: 'connection_error' });
    expect(error.message).toBe('OpenAI dropped the connection while streaming (terminated: other side closed)');
  });

  it('a stream that closes after its finish reason without usage and without [DONE] ends normally', async () => {
    const chunks = await collect(router.chatStream(ask('no-done')));
    expect(chunks.map((c) => c.delta.content ?? '').join('')).toBe('openai says no-done');
    expect(chunks.at(-2)?.finishReason).toBe('stop');
    // The provider sent no usage: the router ends the stream at once with an estimate, marked so.
    expect(chunks.at(-1)).toEqual({ delta: {}, usage: { promptTokens: 2, completionTokens: 5, totalTokens: 7, estimated: true } });
  });

  it('a stream event that is not JSON ends the stream with providerCode malformed_stream (the SDK cannot skip it)', async () => {
    const chunks: ChatChunk[] = [];
    const error = (await failure(
      (async () => {
        for await (const chunk of router.chatStream(ask('malformed'))) chunks.push(chunk);
      })(),
    )) as ProviderError;
    // The role chunk before it is held back until content comes (resilience), so nothing reached the caller.
    expect(chunks).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: undefined, providerCode: 'malformed_stream', message: 'OpenAI sent a stream event whose data is not JSON; the stream ends there' });
    expect(sdkLogged.join('\n')).toContain('Could not parse message into JSON');
  });

  it('failNext(n, fault) and a flaky-N text fail the first requests, then answer', async () => {
    fake.failNext(2, 'rate');
    await expect(failure(router.chat(ask('hi')))).resolves.toMatchObject({ status: 429, retryAfterMs: 2000 });
    await expect(failure(collect(router.chatStream(ask('hi'))))).resolves.toMatchObject({ status: 429 });
    await expect(router.chat(ask('hi'))).resolves.toMatchObject({ message: { content: 'openai says hi' } });

    fake.failNext(1, 'reset');
    await expect(failure(router.chat(ask('hi')))).resolves.toMatchObject({ status: undefined, providerCode: 'connection_error' });

    for (let i = 0; i < 2; i++) await expect(failure(router.chat(ask('flaky-2')))).resolves.toMatchObject({ status: 503, retryAfterMs: 1000 });
    await expect(router.chat(ask('flaky-2'))).resolves.toMatchObject({ message: { content: 'openai says flaky-2' } });
    expect((await collect(router.chatStream(ask('flaky-2')))).at(-2)?.finishReason).toBe('stop');
  });

  it("the SDK's own timeout (the timeout setting) is providerCode timeout without status, not connection_error", async () => {
    // Mapped directly: under Jest's VM modules the SDK cannot recognize fetch's AbortError (another realm)
    // and reports its timeout as a plain APIConnectionError; in a plain Node process it throws this.
    const sdk = await import('openai');
    const error = toProviderError(new sdk.APIConnectionTimeoutError(), sdk, 'openai', KEY);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: undefined, providerCode: 'timeout', message: 'OpenAI did not answer in time (the SDK timeout, the timeout setting)' });
    const aborted = new sdk.APIUserAbortError();
    expect(toProviderError(aborted, sdk, 'openai', KEY)).toBe(aborted);
  });

  it("aborting the caller's signal closes the upstream request before it answered", async () => {
    for (const call of [(signal: AbortSignal) => router.chat(ask('hang'), { signal }), (signal: AbortSignal) => collect(router.chatStream(ask('hang'), { signal }))]) {
      const controller = new AbortController();
      const before = fake.seen.length;
      const pending = failure(call(controller.signal));
      await waitFor(() => fake.seen.length > before);
      controller.abort(new Error('the client left'));
      await pending;
      const seen = fake.seen[before];
      await waitFor(() => seen.closedEarly !== undefined);
      expect(seen.closedEarly).toBe(true);
    }
  });
});

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((done) => setTimeout(done, 10));
  }
}
