import { describe, expect, it } from '@jest/globals';
import { setImmediate as tick } from 'node:timers/promises';
import { ProviderError, type ChatChunk, type ChatProvider, type ChatRequest } from '../../src/index.js';
import type { MockExtension } from '../../extensions/mock/index.js';
import { ask, collect, failure, loadMock, watchTimers } from '../support/mock.js';

const since = (began: number) => performance.now() - began;
/** Timers may fire a millisecond early by performance.now(); lower bounds allow for it. */
const SLACK = 2;
/** "Promptly" after an abort: generous, since the waits it cuts short are a minute long. */
const PROMPT = 1000;

describe('injected failures', () => {
  it('fails every call with the configured status, provider code and Retry-After, naming the fix', async () => {
    const { router, manager } = await loadMock({ failRate: 1, failStatus: 429, retryAfterMs: 1500 });
    const error = await failure(router.chat(ask('hi')));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'EXT_ERR_PROVIDER', extensionName: 'mock', status: 429, providerCode: 'rate_limit_exceeded', retryAfterMs: 1500 });
    expect(error.message).toBe(
      'Mock fault on call 1 (chat): HTTP 429 rate_limit_exceeded, retry after 1500 ms. The mock is set to fail every call (failRate, MOCK_FAIL_RATE); set it to 0 to stop injecting faults.',
    );
    // A stream fails before its first chunk, as an HTTP error before the body would.
    await expect(collect(router.chatStream(ask('hi')))).rejects.toMatchObject({ status: 429, retryAfterMs: 1500, message: expect.stringContaining('call 2 (chatStream)') });
    await expect(router.embed({ model: 'mock-embed', input: 'x' })).rejects.toMatchObject({ status: 429, message: expect.stringContaining('call 3 (embed)') });
    expect(await manager.checkHealth('mock')).toMatchObject({ healthy: true, served: 0, calls: 3 });
  });

  it('takes the status from MOCK_FAIL_STATUS and leaves retryAfterMs out when none is set', async () => {
    const { router } = await loadMock({}, { MOCK_FAIL_RATE: '1', MOCK_FAIL_STATUS: '500' });
    const error = await failure(router.chat(ask('hi')));
    expect(error).toMatchObject({ status: 500, providerCode: 'server_error', retryAfterMs: undefined });
    expect(error.message).not.toContain('retry after');
  });

  it('fails the share failRate sets, on the same calls in every run', async () => {
    const failedCalls = async (config: Record<string, unknown>, calls: number) => {
      const { router } = await loadMock(config);
      const failed: number[] = [];
      for (let call = 1; call <= calls; call++) {
        const error = await router.chat(ask('hi')).then(() => undefined, (e: ProviderError) => e);
        if (error) failed.push(call);
        if (error) expect(error.status).toBe(503);
      }
      return failed;
    };
    const quarter = await failedCalls({ failRate: 0.25 }, 40);
    expect(quarter).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
    expect(await failedCalls({ failRate: 0.25 }, 40)).toEqual(quarter);
    expect(await failedCalls({ failRate: 0.3 }, 10)).toEqual([4, 7, 10]);
    expect((await failedCalls({ failRate: 0.29 }, 100)).length).toBe(29);
    expect(await failedCalls({ failRate: 0 }, 10)).toEqual([]);
  });
});

describe('failFirst, failCode and connection faults', () => {
  /** The numbers of the calls among the first `calls` that failed, with their errors. */
  const failedCalls = async (router: Awaited<ReturnType<typeof loadMock>>['router'], calls: number) => {
    const failed: [number, ProviderError][] = [];
    for (let call = 1; call <= calls; call++) {
      const error = await router.chat(ask('hi')).then(() => undefined, (e: ProviderError) => e);
      if (error) failed.push([call, error]);
    }
    return failed;
  };

  it('fails the first N calls (streams and embeddings included) with the configured status, then answers', async () => {
    const { router, manager } = await loadMock({ failFirst: 2, failStatus: 429, retryAfterMs: 300 });
    const first = await failure(router.chat(ask('hi')));
    expect(first).toBeInstanceOf(ProviderError);
    expect(first).toMatchObject({ status: 429, providerCode: 'rate_limit_exceeded', retryAfterMs: 300 });
    expect(first.message).toBe(
      'Mock fault on call 1 (chat): HTTP 429 rate_limit_exceeded, retry after 300 ms. The mock is set to fail the first 2 calls (failFirst, MOCK_FAIL_FIRST); later calls answer.',
    );
    await expect(collect(router.chatStream(ask('hi')))).rejects.toMatchObject({ status: 429, message: expect.stringContaining('call 2 (chatStream)') });
    await expect(router.chat(ask('hi'))).resolves.toMatchObject({ message: { content: 'hi' } });
    await expect(router.embed({ model: 'mock-embed', input: 'x' })).resolves.toBeDefined();
    expect(await manager.checkHealth('mock')).toMatchObject({ served: 2, calls: 4 });
    const fromEnv = await loadMock({}, { MOCK_FAIL_FIRST: '1' });
    expect((await failedCalls(fromEnv.router, 3)).map(([call]) => call)).toEqual([1]);
  });

  it('with failRate too, a call fails when either picks it', async () => {
    const { router } = await loadMock({ failFirst: 2, failRate: 0.25 });
    const failed = await failedCalls(router, 8);
    expect(failed.map(([call]) => call)).toEqual([1, 2, 4, 8]);
    expect(failed[1][1].message).toContain('(failFirst, MOCK_FAIL_FIRST)');
    expect(failed[2][1].message).toContain('a share of 0.25 of calls (failRate, MOCK_FAIL_RATE)');
  });

  it('failCode replaces the providerCode: a context-length 400, a content-policy 400', async () => {
    const { router } = await loadMock({ failRate: 1, failStatus: 400, failCode: 'context_length_exceeded' });
    const error = await failure(router.chat(ask('hi')));
    expect(error).toMatchObject({ status: 400, providerCode: 'context_length_exceeded', retryAfterMs: undefined });
    expect(error.message).toMatch(/^Mock fault on call 1 \(chat\): HTTP 400 context_length_exceeded\. /);
    const fromEnv = await loadMock({}, { MOCK_FAIL_FIRST: '1', MOCK_FAIL_STATUS: '400', MOCK_FAIL_CODE: 'content_filter' });
    await expect(failure(collect(fromEnv.router.chatStream(ask('hi'))))).resolves.toMatchObject({ status: 400, providerCode: 'content_filter' });
  });

  it('failConnection makes injected failures status-less connection_error, as a reset before any byte, with no Retry-After', async () => {
    const { router } = await loadMock({ failFirst: 1, failConnection: true, retryAfterMs: 500 });
    const error = await failure(router.chat(ask('hi')));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: undefined, providerCode: 'connection_error', retryAfterMs: undefined });
    expect(error.message).toBe(
      'Mock fault on call 1 (chat): connection reset before any response (connection_error). The mock is set to fail the first 1 call (failFirst, MOCK_FAIL_FIRST); later calls answer.',
    );
    await expect(router.chat(ask('hi'))).resolves.toMatchObject({ message: { content: 'hi' } });
    const fromEnv = await loadMock({}, { MOCK_FAIL_RATE: '1', MOCK_FAIL_CONNECTION: 'true' });
    await expect(failure(collect(fromEnv.router.chatStream(ask('hi'))))).resolves.toMatchObject({ status: undefined, providerCode: 'connection_error' });
  });
});

describe('hangs and aborts', () => {
  it('hangs until the signal aborts, then rejects at once with its reason, plain and streamed', async () => {
    const { router, manager } = await loadMock({ hang: true });
    const controller = new AbortController();
    const pending = failure(router.chat(ask('hi'), { signal: controller.signal }));
    const stream = router.chatStream(ask('hi'), { signal: controller.signal })[Symbol.asyncIterator]();
    const first = failure(stream.next());
    const embedding = failure(router.embed({ model: 'mock-embed', input: 'x' }, { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reason = new Error('client left');
    const began = performance.now();
    controller.abort(reason);
    // The router wraps what the provider threw; the reason is its cause.
    for (const error of await Promise.all([pending, first, embedding])) {
      expect(error).toBeInstanceOf(ProviderError);
      expect(error.cause).toBe(reason);
      expect(error.message).toBe('Extension "mock" failed: client left');
    }
    expect(since(began)).toBeLessThan(PROMPT);
    // Called directly, the mock rejects with the reason itself.
    const direct = new AbortController();
    const call = manager.getInstance<MockExtension>('mock')!.chat({ ...ask('hi'), model: 'mock-chat' }, { signal: direct.signal });
    direct.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('leaves no timer behind when a wait is aborted', async () => {
    const { router } = await loadMock({ latencyMs: 60_000 });
    const streaming = await loadMock({ tokenDelayMs: 60_000 });
    const timers = watchTimers();
    try {
      const controller = new AbortController();
      const pending = failure(router.chat(ask('hi'), { signal: controller.signal }));
      const stream = streaming.router.chatStream(ask('one two'), { signal: controller.signal })[Symbol.asyncIterator]();
      expect((await stream.next()).value).toMatchObject({ delta: { role: 'assistant' } });
      expect((await stream.next()).value).toMatchObject({ delta: { content: 'one' } });
      const second = failure(stream.next());
      await tick();
      // The latency of chat() and the token delay of the stream, each a minute long; the router's limits
      // of chat() (its total budget and the attempt's time limit) and of the stream (its idle limit: the
      // budget ends once the answer has begun).
      expect(timers.alive()).toBe(5);
      const began = performance.now();
      controller.abort(new Error('enough'));
      await expect(pending).resolves.toMatchObject({ message: 'Extension "mock" failed: enough' });
      await expect(second).resolves.toMatchObject({ message: 'Extension "mock" failed: enough' });
      expect(since(began)).toBeLessThan(PROMPT);
      // Destroy hooks of cleared timers arrive on the next turns of the event loop.
      await tick();
      await tick();
      expect(timers.alive()).toBe(0);
    } finally {
      timers.stop();
    }
  });
});

describe('broken streams', () => {
  const tokens = (chunks: ChatChunk[]) => chunks.filter((c) => c.delta?.content).map((c) => c.delta.content);

  it('cuts a stream after N token chunks: it ends with no finish reason and no usage, as a dropped connection', async () => {
    const { router, manager } = await loadMock({ cutAfterTokens: 2 });
    const mock = manager.getInstance<ChatProvider>('mock')!;
    const direct = (text: string) => collect(mock.chatStream!({ ...ask(text), model: 'mock-chat' }, { signal: new AbortController().signal }));
    const chunks = await direct('one two three four');
    expect(chunks[0].delta.role).toBe('assistant');
    expect(tokens(chunks)).toEqual(['one', ' two']);
    expect(chunks.some((c) => c.finishReason || c.usage)).toBe(false);
    // Shorter than the cut, the answer comes whole, and still no finish reason.
    const short = await direct('one');
    expect(tokens(short)).toEqual(['one']);
    expect(short.some((c) => c.finishReason)).toBe(false);
    // Through the router a cut answer never ends as a whole one: it is a stream_cut failure.
    await expect(collect(router.chatStream(ask('one two three four')))).rejects.toMatchObject({ providerCode: 'stream_cut' });
    // chat() is not a stream: it answers.
    await expect(router.chat(ask('one two three'))).resolves.toMatchObject({ finishReason: 'stop' });
    expect(await manager.checkHealth('mock')).toMatchObject({ served: 1, calls: 4 });
  });

  it('stalls a stream after N token chunks until the signal aborts', async () => {
    const { router } = await loadMock({ stallAfterTokens: 1 });
    const controller = new AbortController();
    const stream = router.chatStream(ask('one two three'), { signal: controller.signal })[Symbol.asyncIterator]();
    expect((await stream.next()).value).toMatchObject({ delta: { role: 'assistant' } });
    expect((await stream.next()).value).toMatchObject({ delta: { content: 'one' } });
    let settled = false;
    const next = failure(stream.next()).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    const reason = new Error('read timeout');
    controller.abort(reason);
    expect((await next).cause).toBe(reason);
  });

  it('sends one chunk without delta right after the first, and the rest of the answer intact; the router skips it', async () => {
    const { router, manager } = await loadMock({ malformedChunk: true });
    const mock = manager.getInstance<ChatProvider>('mock')!;
    const chunks = await collect(mock.chatStream!({ ...ask('one two'), model: 'mock-chat' }, { signal: new AbortController().signal }));
    const broken = chunks.filter((c) => c.delta === undefined);
    expect(broken).toHaveLength(1);
    expect(chunks.indexOf(broken[0])).toBe(1);
    expect(broken[0]).toMatchObject({ model: 'mock-chat', note: expect.stringContaining('malformedChunk') });
    expect(tokens(chunks)).toEqual(['one', ' two']);
    expect(chunks.at(-2)!.finishReason).toBe('stop');
    const routed = await collect(router.chatStream(ask('one two')));
    expect(routed.filter((c) => c.delta === undefined && !c.usage && !c.finishReason)).toEqual([]);
    expect(tokens(routed)).toEqual(['one', ' two']);
  });
});

describe('streams that fail mid-answer (failAfterTokens)', () => {
  const tokens = (chunks: ChatChunk[]) => chunks.filter((c) => c.delta?.content).map((c) => c.delta.content);
  /** The chunks a stream sent before it threw, and what it threw. */
  const untilFailure = async (stream: AsyncIterable<ChatChunk>) => {
    const chunks: ChatChunk[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of stream) chunks.push(chunk);
      })(),
    );
    return { chunks, error: error as ProviderError };
  };

  it('sends N token chunks, then throws a retryable 503 with no finish reason; chat() answers', async () => {
    const { router, manager } = await loadMock({ failAfterTokens: 2 });
    const { chunks, error } = await untilFailure(router.chatStream(ask('one two three four')));
    expect(chunks[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(tokens(chunks)).toEqual(['one', ' two']);
    expect(chunks.some((c) => c.finishReason || c.usage)).toBe(false);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 503, providerCode: 'service_unavailable', retryAfterMs: undefined });
    expect(error.message).toBe(
      'Mock fault on call 1 (chatStream) after 2 token chunks: HTTP 503 service_unavailable. The mock is set to fail streams after 2 token chunks (failAfterTokens, MOCK_FAIL_AFTER_TOKENS); unset it to stop.',
    );
    // Shorter than N, the whole answer comes, and still the failure instead of the finish reason.
    const short = await untilFailure(router.chatStream(ask('one')));
    expect(tokens(short.chunks)).toEqual(['one']);
    expect(short.error.message).toContain('after 1 token chunk:');
    await expect(router.chat(ask('one two three'))).resolves.toMatchObject({ finishReason: 'stop' });
    expect(await manager.checkHealth('mock')).toMatchObject({ served: 1, calls: 3 });
  });

  it('takes failStatus, failCode, retryAfterMs and failConnection, and MOCK_FAIL_AFTER_TOKENS', async () => {
    const limited = await loadMock({ failAfterTokens: 0, failStatus: 429, retryAfterMs: 200, failCode: 'overloaded' });
    const first = await untilFailure(limited.router.chatStream(ask('one two')));
    expect(tokens(first.chunks)).toEqual([]);
    expect(first.error).toMatchObject({ status: 429, providerCode: 'overloaded', retryAfterMs: 200 });
    const dropped = await loadMock({}, { MOCK_FAIL_AFTER_TOKENS: '1', MOCK_FAIL_CONNECTION: 'true' });
    const second = await untilFailure(dropped.router.chatStream(ask('one two')));
    expect(tokens(second.chunks)).toEqual(['one']);
    expect(second.error).toMatchObject({ status: undefined, providerCode: 'connection_error', message: expect.stringContaining('after 1 token chunk: connection reset') });
  });
});

describe('prefill: a conversation that ends with assistant text is continued', () => {
  const tokens = (chunks: ChatChunk[]) => chunks.filter((c) => c.delta?.content).map((c) => c.delta.content);
  const prefilled = (text: string, prefill: string, extra: Partial<ChatRequest> = {}): ChatRequest =>
    ask(text, { messages: [{ role: 'user', content: text }, { role: 'assistant', content: prefill }], ...extra });

  it('answers the rest of its answer after the prefill, plain and streamed, with usage of the rest', async () => {
    const { router } = await loadMock({ prefix: '> ' });
    expect(router.getAvailableModels()['mock-chat'].capabilities).toContain('prefill');
    expect(router.route('mock', { capabilities: ['prefill', 'streaming'] })).toMatchObject({ extension: 'mock' });
    const whole = await router.chat(ask('one two three four'));
    const rest = await router.chat(prefilled('one two three four', '> one tw'));
    expect(rest).toMatchObject({ message: { role: 'assistant', content: 'o three four' }, finishReason: 'stop', usage: { promptTokens: 7, completionTokens: 3, totalTokens: 10 } });
    expect(`> one tw${rest.message.content}`).toBe(whole.message.content);
    const chunks = await collect(router.chatStream(prefilled('one two three four', '> one tw')));
    expect(chunks[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(tokens(chunks)).toEqual(['o', ' three', ' four']);
    expect(chunks.at(-2)?.finishReason).toBe('stop');
    expect(chunks.at(-1)?.usage).toEqual(rest.usage);
    // A prefill of the whole answer leaves nothing to add.
    await expect(router.chat(prefilled('one', '> one'))).resolves.toMatchObject({ message: { content: '' }, finishReason: 'stop', usage: { completionTokens: 0 } });
  });

  it('answers in full when the prefill does not begin its answer, and in text when tools are offered', async () => {
    const { router } = await loadMock();
    await expect(router.chat(prefilled('one two', 'something else'))).resolves.toMatchObject({ message: { content: 'one two' } });
    const tool = { type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } };
    await expect(router.chat(prefilled('one two', 'one', { tools: [tool] }))).resolves.toMatchObject({ message: { content: ' two' }, finishReason: 'stop' });
    // maxTokens counts the continuation's words.
    await expect(router.chat(prefilled('a b c d', 'a', { maxTokens: 2 }))).resolves.toMatchObject({ message: { content: ' b c' }, finishReason: 'length' });
    // An assistant message that only calls tools is no prefill.
    const calls = { role: 'assistant' as const, content: null, toolCalls: [{ id: 'c1', type: 'function' as const, function: { name: 'lookup', arguments: '{}' } }] };
    await expect(router.chat(ask('x y', { messages: [{ role: 'user', content: 'x y' }, calls] }))).resolves.toMatchObject({ message: { content: 'x y' } });
  });
});

describe('latency', () => {
  it('waits latencyMs before an answer, an embedding or a failure', async () => {
    const { router } = await loadMock({ latencyMs: 80 });
    for (const call of [() => router.chat(ask('hi')), () => router.embed({ model: 'mock-embed', input: 'x' })]) {
      const began = performance.now();
      await call();
      expect(since(began)).toBeGreaterThanOrEqual(80 - SLACK);
    }
    const failing = await loadMock({ latencyMs: 80, failRate: 1 });
    const began = performance.now();
    await expect(failing.router.chat(ask('hi'))).rejects.toThrow(ProviderError);
    expect(since(began)).toBeGreaterThanOrEqual(80 - SLACK);
  });

  it('streams the first chunk after latencyMs + timeToFirstTokenMs, and the tokens tokenDelayMs apart', async () => {
    const { router } = await loadMock({ latencyMs: 40, timeToFirstTokenMs: 60, tokenDelayMs: 30 });
    const began = performance.now();
    const arrivals: number[] = [];
    for await (const chunk of router.chatStream(ask('a b c d'))) if (chunk.delta.role || chunk.delta.content) arrivals.push(since(began));
    expect(arrivals).toHaveLength(5);
    expect(arrivals[0]).toBeGreaterThanOrEqual(100 - SLACK);
    for (let i = 2; i < arrivals.length; i++) expect(arrivals[i] - arrivals[i - 1]).toBeGreaterThanOrEqual(30 - SLACK);
  });
});
