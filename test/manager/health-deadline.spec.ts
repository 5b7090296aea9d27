import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { setImmediate as tick } from 'node:timers/promises';
import { HealthRunner } from '../../src/manager/health-runner.js';
import type { ExtensionRecord } from '../../src/manager/manager.interface.js';
import { createHook } from 'node:async_hooks';

/** Timers (setTimeout) made while it watches that are neither cleared nor fired yet. */
function watchTimers() {
  const alive = new Set<number>();
  const hook = createHook({ init: (id, type) => void (type === 'Timeout' && alive.add(id)), destroy: (id) => void alive.delete(id) }).enable();
  return { alive: () => alive.size, stop: () => void hook.disable() };
}

/** A started extension whose healthCheck answers when `release` is called, recording the signal it got. */
function extension(name: string) {
  let release!: () => void;
  const seen: AbortSignal[] = [];
  const answered = new Promise<void>((done) => (release = done));
  const instance = {
    healthCheck: async ({ signal }: { signal: AbortSignal }) => {
      seen.push(signal);
      await Promise.race([answered, new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))]);
      return { healthy: true };
    },
  };
  const record = { definition: { name, configFields: [] }, instance, secrets: [], state: 'started' } as unknown as ExtensionRecord;
  return { record, release: () => release(), seen };
}

describe('health checks started together share one deadline', () => {
  it('uses one timer and one signal for a probe over many extensions, and clears it once all answered', async () => {
    const timers = watchTimers();
    try {
      const runner = new HealthRunner(5000, 0);
      const all = Array.from({ length: 20 }, (_, i) => extension(`e${i}`));
      const answers = all.map(({ record }) => runner.check(record));
      await tick();
      expect(timers.alive()).toBe(1);
      expect(new Set(all.map((e) => e.seen[0])).size).toBe(1);
      for (const e of all) e.release();
      expect((await Promise.all(answers)).every((a) => a.healthy)).toBe(true);
      // Destroy hooks of cleared timers come on later turns of the event loop.
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (let i = 0; i < 3; i++) await tick();
      expect(timers.alive()).toBe(0);
    } finally {
      timers.stop();
    }
  });

  it('still times every one of them out at the deadline, aborting their signal', async () => {
    const runner = new HealthRunner(100, 0);
    const all = Array.from({ length: 5 }, (_, i) => extension(`e${i}`));
    const answers = await Promise.all(all.map(({ record }) => runner.check(record)));
    expect(answers.every((a) => a.healthy === false && /did not answer within 100 ms/.test(String(a.message)))).toBe(true);
    expect(all.every((e) => e.seen[0].aborted)).toBe(true);
  });

  it('gives checks started later their own deadline', async () => {
    const runner = new HealthRunner(5000, 0);
    const first = extension('a');
    const pending = runner.check(first.record);
    await tick();
    const second = extension('b');
    const later = runner.check(second.record);
    await tick();
    expect(second.seen[0]).not.toBe(first.seen[0]);
    first.release();
    second.release();
    await Promise.all([pending, later]);
  });

  it('lets every check listen on the shared signal without Node warning of a listener leak (more than 10 extensions)', () => {
    // In a child process on the built package: Node writes the warning to the real process's stderr.
    const script = `
      const { HealthRunner } = await import('./dist/src/manager/health-runner.js');
      const runner = new HealthRunner(5000, 0);
      const release = [];
      const record = (name) => ({ definition: { name, configFields: [] }, secrets: [], state: 'started', instance: {
        healthCheck: ({ signal }) => new Promise((done, fail) => { release.push(() => done({ healthy: true })); signal.addEventListener('abort', () => fail(signal.reason)); }),
      } });
      const answers = Array.from({ length: 20 }, (_, i) => runner.check(record('e' + i)));
      await new Promise((resolve) => setImmediate(resolve));
      release.forEach((r) => r());
      console.log((await Promise.all(answers)).filter((a) => a.healthy).length);
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 20_000 });
    expect(run.stdout.trim()).toBe('20');
    expect(run.stderr).not.toContain('MaxListenersExceededWarning');
  });
});
