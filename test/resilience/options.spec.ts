import { describe, expect, it } from '@jest/globals';
import { AppModule } from '../../src/app/app.module.js';
import { ExtensionConfigError, ExtensionManager } from '../../src/index.js';

describe('resilience options are checked, naming the field', () => {
  it('refuses what a timer or a loop cannot honour', () => {
    const error = (() => {
      try {
        new ExtensionManager({ resilience: { retries: -1, backoffMs: Infinity, timeouts: { idleMs: 0, idelMs: 5 } as never, fallbacks: { 'gpt-4o': 'mock' } as never, breaker: { failures: 0 } } });
      } catch (e) {
        return e as ExtensionConfigError;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(ExtensionConfigError);
    expect(error.issues.map((i) => i.field).sort()).toEqual(
      ['resilience.backoffMs', 'resilience.breaker.failures', 'resilience.fallbacks.gpt-4o', 'resilience.retries', 'resilience.timeouts.idelMs', 'resilience.timeouts.idleMs'].sort(),
    );
  });

  it('says how to write GLEITZEIT_RESILIENCE when it is not JSON', async () => {
    await expect(AppModule.register({ GLEITZEIT_RESILIENCE: '{retries: 1}' })).rejects.toThrow(/GLEITZEIT_RESILIENCE is not JSON .*write it as \{"retries": 1/);
  });
});
