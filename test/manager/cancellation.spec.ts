import { describe, expect, it } from '@jest/globals';
import { ExtensionConfigError, ExtensionLifecycleError, ExtensionManager, ExtensionsModule, ExtensionTimeoutError } from '../../src/index.js';
import { appFixture } from '../support/boot.js';
import type { Patient } from '../fixtures/apps/cancel/patient.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function patient(config: Record<string, unknown>, options: ConstructorParameters<typeof ExtensionManager>[0] = {}) {
  const manager = new ExtensionManager({ timeouts: { setup: 200, start: 200, stop: 200 }, ...options });
  await manager.discoverExtensions([appFixture('cancel')]);
  await manager.loadExtension('patient', config);
  return { manager, instance: manager.getInstance<Patient>('patient')! };
}

describe('lifecycle timeouts cancel, and failure cleans up', () => {
  it('aborts the signal of a start() at its limit, then runs stop() to release what it holds', async () => {
    const { manager, instance } = await patient({ hangIn: 'start' });
    const error = await manager.startExtension('patient').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtensionTimeoutError);
    expect(error).toMatchObject({ phase: 'start', timeoutMs: 200, extensionName: 'patient' });
    expect(instance.events.slice(0, 3)).toEqual(['setup', 'start', 'start:aborted:EXT_ERR_TIMEOUT']);
    // stop() ran after the failed start(), so the interval start() set up is gone.
    expect(instance.events).toContain('stop');
    expect(instance.timers.size).toBe(0);
    expect(manager.getState('patient')).toBe('failed');
  });

  it('runs stop() once after a start() that throws, and not after a setup() that throws', async () => {
    const started = await patient({ failIn: 'start' });
    await expect(started.manager.startExtension('patient')).rejects.toThrow(ExtensionLifecycleError);
    expect(started.instance.events).toEqual(['setup', 'start', 'stop']);

    const setUp = await patient({ failIn: 'setup' });
    await expect(setUp.manager.startExtension('patient')).rejects.toThrow(ExtensionLifecycleError);
    expect(setUp.instance.events).toEqual(['setup']);
  });

  it('keeps a timed-out extension failed when its start() completes late', async () => {
    const { manager, instance } = await patient({ ignoreIn: 'start', lateMs: 350 });
    await expect(manager.startExtension('patient')).rejects.toThrow(ExtensionTimeoutError);
    await sleep(400);
    expect(instance.events).toContain('start:late');
    expect(manager.getState('patient')).toBe('failed');
    expect(manager.modelRouter.findExtensionForModel('patient-model')).toBeUndefined();
  });

  it('gives setup() and stop() a signal that aborts at their own limits', async () => {
    const setup = await patient({ hangIn: 'setup' });
    await expect(setup.manager.startExtension('patient')).rejects.toThrow(ExtensionTimeoutError);
    expect(setup.instance.events).toContain('setup:aborted:EXT_ERR_TIMEOUT');

    const stop = await patient({ hangIn: 'stop' });
    await stop.manager.startExtension('patient');
    await expect(stop.manager.stopExtension('patient')).rejects.toMatchObject({ code: 'EXT_ERR_TIMEOUT', phase: 'stop' });
    expect(stop.instance.events).toContain('stop:aborted:EXT_ERR_TIMEOUT');
  });
});

describe('time limits are validated', () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ['a negative phase timeout', { timeouts: { start: -1 } }, 'timeouts.start'],
    ['zero', { timeouts: { setup: 0 } }, 'timeouts.setup'],
    ['NaN', { timeouts: { stop: Number.NaN } }, 'timeouts.stop'],
    ['Infinity', { healthTimeoutMs: Number.POSITIVE_INFINITY }, 'healthTimeoutMs'],
    ['2^31 ms, which Node fires after 1 ms', { timeouts: { start: 2 ** 31 } }, 'timeouts.start'],
    ['a string', { timeouts: { start: '100' } }, 'timeouts.start'],
    ['a per-extension timeout', { extensionOptions: { patient: { timeouts: { stop: -5 } } } }, 'extensionOptions.patient.timeouts.stop'],
    ['a negative cache time', { healthCacheMs: -1 }, 'healthCacheMs'],
  ];

  it.each([
    ['a misspelt phase', { timeouts: { strat: 5000 } }, 'timeouts.strat', 'is not a phase. Did you mean "start"?'],
    ['an unknown policy', { onBootFailure: 'Continue' }, 'onBootFailure', `must be 'abort' or 'continue' (got "Continue")`],
    ['an unknown per-extension policy', { extensionOptions: { patient: { onBootFailure: 'ignore' } } }, 'extensionOptions.patient.onBootFailure', `must be 'abort' or 'continue' (got "ignore")`],
    ['NaN, named as such', { timeouts: { stop: Number.NaN } }, 'timeouts.stop', 'must be a positive number of milliseconds up to 2147483647 (got NaN)'],
  ])('refuses %s at forRoot', async (_, options, field, message) => {
    const error = await ExtensionsModule.forRoot({ searchPaths: [appFixture('cancel')], ...(options as object) }).catch((e: unknown) => e);
    expect((error as ExtensionConfigError).issues).toEqual([{ field, message }]);
  });

  it.each(bad)('refuses %s at forRoot with a config error naming the option', async (_, options, field) => {
    const error = await ExtensionsModule.forRoot({ searchPaths: [appFixture('cancel')], ...options }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtensionConfigError);
    expect((error as ExtensionConfigError).issues.map((i) => i.field)).toEqual([field]);
    expect((error as Error).message).toMatch(/^Invalid ExtensionsModule options \(1 problem\):\n  - .+: must be a (positive|non-negative) number of milliseconds up to 2147483647/);
  });

  it('refuses them in a standalone manager too, and accepts 0 where 0 means off', () => {
    expect(() => new ExtensionManager({ healthTimeoutMs: -1 })).toThrow(ExtensionConfigError);
    expect(() => new ExtensionManager({ healthCacheMs: 0, shutdownDelayMs: 0, timeouts: { start: 2 ** 31 - 1 } })).not.toThrow();
  });
});
