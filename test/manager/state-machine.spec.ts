import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ExtensionManager, ExtensionStateError } from '../../src/index.js';
import { getState } from '../fixtures/apps/graph/_observer.js';
import { appFixture } from '../support/boot.js';

const NAMES = ['a', 'b', 'c', 'd', 'e'];
const DEPENDS_ON: Record<string, string[]> = { a: [], b: ['a'], c: ['b'], d: ['a'], e: [] };

async function graph(): Promise<ExtensionManager> {
  const manager = new ExtensionManager({ timeouts: { setup: 1000, start: 1000, stop: 1000 } });
  await manager.discoverExtensions([appFixture('graph')]);
  getState.current = (name) => manager.getState(name);
  getState.violations.length = 0;
  return manager;
}

describe('one consistent state machine across extensions', () => {
  let manager: ExtensionManager;
  beforeEach(async () => {
    manager = await graph();
  });

  it('refuses to stop an extension that a started one depends on, and names it', async () => {
    for (const name of ['a', 'b']) await manager.loadExtension(name);
    await manager.startAllExtensions();
    await expect(manager.stopExtension('a')).rejects.toThrow(
      new ExtensionStateError('Cannot stop extension "a": it is needed by started b. Stop those first (stopAllExtensions() orders everything).', 'a'),
    );
    expect(manager.getState('a')).toBe('started');
    await manager.stopExtension('b');
    await manager.stopExtension('a');
    expect(manager.getState('a')).toBe('stopped');
  });

  it('cannot unload a dependency from under an extension that is starting', async () => {
    await manager.loadExtension('a');
    await manager.startExtension('a');
    await manager.loadExtension('b', { delayMs: 80 });
    const starting = manager.startExtension('b');
    // Issued while b's setup() is running: it waits for b, then sees b started and refuses.
    const unloading = manager.unloadExtension('a').catch((error: unknown) => error);
    await starting;
    expect(await unloading).toBeInstanceOf(ExtensionStateError);
    expect(manager.getState('b')).toBe('started');
    expect(manager.getState('a')).toBe('started');
    expect(getState.violations).toEqual([]);
  });

  it('lets unrelated extensions proceed while one is busy', async () => {
    await manager.loadExtension('a', { delayMs: 300 });
    await manager.loadExtension('e');
    const slow = manager.startExtension('a');
    const began = performance.now();
    await manager.startExtension('e');
    expect(performance.now() - began).toBeLessThan(250);
    await slow;
  });
});

type Op = { kind: 'load' | 'start' | 'stop' | 'unload' | 'reload'; name: string; failIn: '' | 'setup' | 'start' };

// Weighted toward the root of the chain and its dependents, where interleavings can break the rules.
const op = fc.record({
  kind: fc.constantFrom<Op['kind']>('load', 'load', 'start', 'start', 'start', 'stop', 'unload', 'reload'),
  name: fc.constantFrom('a', 'a', 'a', 'b', 'b', 'c', 'd', 'd', 'e'),
  failIn: fc.constantFrom<Op['failIn']>('', '', '', 'setup', 'start'),
});

describe('random concurrent sequences keep the invariants (fast-check)', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('holds for load/start/stop/unload/reload over a dependency graph, in three or four concurrent lanes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { maxLength: 10 }), { minLength: 3, maxLength: 4 }), async (lanes) => {
        const manager = await graph();
        /** What each extension's state must be, from the calls as they completed (serialized per connected group). */
        const expected: Record<string, string> = Object.fromEntries(NAMES.map((n) => [n, 'discovered']));
        const settle = (name: string, success: string) => (outcome: { ok: boolean; error?: unknown }) => {
          if (outcome.ok) expected[name] = success;
          else if (!(outcome.error instanceof ExtensionStateError)) expected[name] = 'failed';
        };
        const run = async ({ kind, name, failIn }: Op) => {
          const call = async (fn: () => Promise<unknown>, success: string) =>
            fn().then(
              () => settle(name, success)({ ok: true }),
              (error: unknown) => settle(name, success)({ ok: false, error }),
            );
          if (kind === 'load') return call(() => manager.loadExtension(name, { failIn, delayMs: 1 }), 'loaded');
          if (kind === 'start') return call(() => manager.startExtension(name), 'started');
          if (kind === 'stop') return call(() => manager.stopExtension(name), 'stopped');
          if (kind === 'unload') return call(() => manager.unloadExtension(name), 'discovered');
          await call(() => manager.unloadExtension(name), 'discovered');
          return call(() => manager.loadExtension(name, { failIn, delayMs: 1 }), 'loaded');
        };
        await Promise.all(lanes.map(async (lane) => { for (const step of lane) await run(step); }));

        expect(getState.violations).toEqual([]);
        for (const name of NAMES) {
          const state = manager.getState(name);
          expect({ name, state }).toEqual({ name, state: expected[name] });
          if (state === 'started') for (const dependency of DEPENDS_ON[name]) expect({ name, dependency, state: manager.getState(dependency) }).toEqual({ name, dependency, state: 'started' });
          const events = manager.getInstance<{ events: string[] }>(name)?.events ?? [];
          // stop() at most once per start(): never two stops without a start between them.
          expect(events.filter((e) => e !== 'setup').join(',')).not.toMatch(/stop,stop/);
          expect(events.filter((e) => e === 'stop').length).toBeLessThanOrEqual(events.filter((e) => e === 'start').length);
        }
        await manager.stopAllExtensions().catch(() => undefined);
        expect(unhandled).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
