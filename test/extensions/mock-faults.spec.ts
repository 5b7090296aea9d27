import { describe, expect, it } from '@jest/globals';
import { setImmediate as tick } from 'node:timers/promises';
import { ProviderError, type ChatChunk, type ChatProvider } from '../../src/index.js';
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
      // The latency of chat() and the token delay of the stream, each a minute long, and for each call
      // the router's limits: the request's total budget and the attempt's current time limit.
      expect(timers.alive()).toBe(6);
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
