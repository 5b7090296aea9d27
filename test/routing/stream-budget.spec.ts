import { afterEach, describe, expect, it } from '@jest/globals';
import { ExtensionManager, SHIPPED_EXTENSIONS, ExtensionTimeoutError } from '../../src/index.js';
import { ask, collect } from '../support/mock.js';

let manager: ExtensionManager | undefined;
afterEach(async () => {
  await manager?.stopAllExtensions();
  manager = undefined;
});

async function mockWith(config: Record<string, unknown>, totalMs: number) {
  manager = new ExtensionManager({ resilience: { totalMs, retries: 0, breaker: false } }, { env: () => undefined });
  await manager.discoverExtensions([SHIPPED_EXTENSIONS]);
  await manager.loadExtension('mock', config);
  return manager.modelRouter;
}

describe("resilience.totalMs and a stream's length", () => {
  it('does not cut a stream whose answer began and keeps coming, however long it runs', async () => {
    const router = await mockWith({ tokenDelayMs: 30 }, 150);
    const text = Array.from({ length: 15 }, (_, i) => `w${i}`).join(' ');
    const chunks = await collect(router.chatStream(ask(text)));
    expect(chunks.map((c) => c.delta?.content ?? '').join('')).toBe(text);
    expect(chunks.some((c) => c.finishReason === 'stop')).toBe(true);
  });

  it('still ends a stream whose answer does not begin within the budget', async () => {
    const router = await mockWith({ timeToFirstTokenMs: 5000 }, 150);
    const error = await collect(router.chatStream(ask('hi'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtensionTimeoutError);
    expect((error as Error).message).toContain('total budget (resilience.totalMs, 150 ms)');
  });
});
