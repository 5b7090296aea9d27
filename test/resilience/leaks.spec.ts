import { afterAll, describe, expect, it } from '@jest/globals';
import { setImmediate as turn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ExtensionManager, SHIPPED_EXTENSIONS, type ModelRouter } from '../../src/index.js';
import { ask as askMock, collect, watchTimers } from '../support/mock.js';

/*
 * Issue 11, behaviour 7: nothing leaks. At router level (no HTTP server in this file, whose sockets
 * keep timers of their own), no timer outlives a request that met a fault, and no call stays in flight.
 */

describe('7. nothing leaks: no timer outlives a faulty request (router level, mock)', () => {
  const managers: ExtensionManager[] = [];
  afterAll(async () => Promise.all(managers.map((m) => m.stopAllExtensions())));

  async function router(config: Record<string, unknown>, resilience: Record<string, unknown>): Promise<ModelRouter> {
    const manager = new ExtensionManager({ resilience: { backoffMs: 5, ...resilience } }, { env: () => undefined });
    managers.push(manager);
    await manager.discoverExtensions([SHIPPED_EXTENSIONS]);
    await manager.loadExtension('mock', config);
    return manager.modelRouter;
  }

  it.each([
    ['retried 503s with Retry-After', { failFirst: 2, retryAfterMs: 10 }, {}, 'chat'],
    ['a hang ended by responseMs', { hang: true }, { timeouts: { responseMs: 30 } }, 'chat'],
    ['a hang ended by totalMs', { hang: true }, { totalMs: 40 }, 'stream'],
    ['a stall ended by idleMs', { stallAfterTokens: 1 }, { timeouts: { idleMs: 30 } }, 'stream'],
    ['no token within firstTokenMs', { stallAfterTokens: 0 }, { timeouts: { firstTokenMs: 30 } }, 'stream'],
    ['a failure mid-stream, continued by a retry', { failAfterTokens: 1, failFirst: 0 }, { retries: 1 }, 'stream'],
  ] as const)('%s', async (_name, config, resilience, kind) => {
    const r = await router(config, resilience);
    const timers = watchTimers();
    try {
      const work = kind === 'chat' ? r.chat(askMock('one two')) : collect(r.chatStream(askMock('one two')));
      await work.catch(() => undefined);
      await turn();
      expect(timers.alive()).toBe(0);
      expect(r.inFlight).toBe(0);
    } finally {
      timers.stop();
    }
  });

  it('an extension that cannot stream (no chatStream) leaves no timer and nothing in flight', async () => {
    const r = await router({}, { retries: 0 });
    const mock = managers.at(-1)!.getInstance<{ chatStream?: unknown }>('mock')!;
    mock.chatStream = undefined;
    const timers = watchTimers();
    try {
      await expect(collect(r.chatStream(askMock('one two')))).rejects.toMatchObject({ code: 'EXT_ERR_UNSUPPORTED' });
      await turn();
      expect(timers.alive()).toBe(0);
      expect(r.inFlight).toBe(0);
    } finally {
      timers.stop();
    }
  });

  it('a consumer that leaves a stream early leaves no timer', async () => {
    const r = await router({ tokenDelayMs: 5 }, {});
    const timers = watchTimers();
    try {
      for await (const chunk of r.chatStream(askMock('one two three four'))) if (chunk.delta?.content) break;
      await turn();
      expect(timers.alive()).toBe(0);
    } finally {
      timers.stop();
    }
  });
});

describe('a long stream holds no memory per chunk (router level, mock)', () => {
  it('from chunk 20,000 to chunk 240,000 the heap grows by no more than the text kept for a continuation', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const manager = new ExtensionManager({}, { env: () => undefined });
    await manager.discoverExtensions([SHIPPED_EXTENSIONS]);
    await manager.loadExtension('mock', {});
    try {
      const words = Array.from({ length: 250_000 }, (_, i) => `w${i % 10}`).join(' ');
      const heap: number[] = [];
      let chunks = 0;
      for await (const chunk of manager.modelRouter.chatStream(askMock(words))) {
        if (!chunk.delta?.content) continue;
        if (++chunks === 20_000 || chunks === 240_000) {
          gc();
          heap.push(process.memoryUsage().heapUsed);
        }
      }
      expect(chunks).toBe(250_000);
      // The answer so far is kept (a continuation needs it): ~30 bytes a chunk. Each chunk raced against
      // a long-lived promise used to leave a reaction on it too: ~770 bytes a chunk, 170 MB here.
      expect((heap[1] - heap[0]) / 220_000).toBeLessThan(64);
    } finally {
      await manager.stopAllExtensions();
    }
  }, 60_000);
});
