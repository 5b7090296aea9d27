import { describe, expect, it } from '@jest/globals';
import { ExtensionManager } from '../../src/index.js';
import { appFixture } from '../support/boot.js';

const KEY = 'sk-patient-secret-key';

describe('errors from any method the app calls are scrubbed of secrets', () => {
  async function routed() {
    const manager = new ExtensionManager();
    await manager.discoverExtensions([appFixture('cancel')]);
    await manager.loadExtension('patient');
    return manager.modelRouter.route('patient-model').instance as { leak(): never; leakLater(): Promise<never> };
  }

  it('scrubs a synchronous throw from a method called on the routed instance', async () => {
    const instance = await routed();
    let thrown: Error | undefined;
    try {
      instance.leak();
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.message).toBe('request failed for key ***');
    expect(thrown?.stack).not.toContain(KEY);
  });

  it('scrubs a rejection from an async method', async () => {
    const instance = await routed();
    const error = (await instance.leakLater().catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('request failed for key ***');
    expect(`${error.stack}`).not.toContain(KEY);
  });

  it('keeps method identity stable and `this` the real instance', async () => {
    const instance = await routed();
    expect(instance.leak).toBe(instance.leak);
    expect((instance as unknown as { config: { apiKey: string } }).config.apiKey).toBe(KEY);
  });
});
