import { afterEach, describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { ProviderError, type ExtensionManager, type ModelRouter } from '../../src/index.js';
import { ask, failure, loadMock, watchTimers } from '../support/mock.js';

/** router.inFlight and router.drain() on their own, with the shipped mock as the provider (no Nest). */

let manager: ExtensionManager | undefined;

afterEach(async () => {
  await manager?.stopAllExtensions();
  manager = undefined;
});

async function mock(config: Record<string, unknown>): Promise<ModelRouter> {
  const loaded = await loadMock(config);
  manager = loaded.manager;
  return loaded.router;
}

describe('router.inFlight and router.drain()', () => {
  it('counts chat and embed until they settle, and a stream from its first next() until it ends', async () => {
    const router = await mock({ latencyMs: 50 });
    const chat = router.chat(ask('hi'));
    const embedding = router.embed({ model: 'mock-embed', input: 'x' });
    expect(router.inFlight).toBe(2);
    const stream = router.chatStream(ask('one two'))[Symbol.asyncIterator]();
    expect(router.inFlight).toBe(2);
    const first = stream.next();
    expect(router.inFlight).toBe(3);
    await Promise.all([chat, embedding, first]);
    expect(router.inFlight).toBe(1);
    await stream.return(undefined);
    expect(router.inFlight).toBe(0);
    // A call the router refuses (no such model) never counts.
    await failure(router.chat(ask('hi', { model: 'nope' })));
    expect(router.inFlight).toBe(0);
  });

  it('resolves at once when nothing is in flight, and when the last call ends; leaves no timer', async () => {
    const router = await mock({ latencyMs: 100 });
    const timers = watchTimers();
    try {
      await expect(router.drain(60_000)).resolves.toEqual({ finished: 0, aborted: 0 });
      const chat = router.chat(ask('hi'));
      const began = performance.now();
      await expect(router.drain(60_000)).resolves.toEqual({ finished: 1, aborted: 0 });
      expect(performance.now() - began).toBeLessThan(5000);
      await chat;
      await new Promise((resolve) => setImmediate(resolve));
      expect(timers.alive()).toBe(0);
    } finally {
      timers.stop();
    }
  });

  it('aborts what is left at the limit with a 503 ProviderError, drops its listener on the caller signal, and leaves no timer', async () => {
    const router = await mock({ hang: true });
    const caller = new AbortController();
    const timers = watchTimers();
    try {
      const chat = failure(router.chat(ask('hi'), { signal: caller.signal }));
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
      await expect(router.drain(50)).resolves.toEqual({ finished: 0, aborted: 1 });
      const error = await chat;
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ status: 503, providerCode: 'shutting_down', extensionName: 'mock' });
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
      expect(router.inFlight).toBe(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(timers.alive()).toBe(0);
    } finally {
      timers.stop();
    }
  });

  it('a stream whose consumer is not reading when the limit passes fails on its next next()', async () => {
    const router = await mock({ tokenDelayMs: 10 });
    const stream = router.chatStream(ask('one two three'))[Symbol.asyncIterator]();
    await stream.next();
    expect(router.inFlight).toBe(1);
    await expect(router.drain(20)).resolves.toEqual({ finished: 0, aborted: 1 });
    const error = await failure(stream.next());
    expect(error).toMatchObject({ providerCode: 'shutting_down' });
    expect(router.inFlight).toBe(0);
  });

  it('does not wait for a provider that ignores its signal: the caller gets the drain error at the limit', async () => {
    const router = await mock({});
    // A provider that never answers and never looks at its signal, as a careless SDK wrapper might.
    const instance = manager!.getInstance<{ chat: () => Promise<never> }>('mock')!;
    instance.chat = () => new Promise<never>(() => undefined);
    const chat = failure(router.chat(ask('hi')));
    await expect(router.drain(30)).resolves.toEqual({ finished: 0, aborted: 1 });
    expect(await chat).toMatchObject({ status: 503, providerCode: 'shutting_down' });
    expect(router.inFlight).toBe(0);
  });
});
