import { afterEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { discover } from '../../src/discovery/discover.js';
import { ExtensionConfigError, ExtensionLoadError, ExtensionsModule } from '../../src/index.js';
import { appFixture, bootApp, type BootedApp } from '../support/boot.js';

/*
 * import() cannot be cancelled: a module whose top-level await never settles would hang discovery,
 * and forRoot() with it, forever. Each import has a time limit (importTimeoutMs, default 10 s); past
 * it that extension fails and the others go on. Short limits here; these tests hang without one.
 */

const stuck = appFixture('stuck-import');
let booted: BootedApp | undefined;

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
});

describe('an extension module whose top-level code never finishes', () => {
  it('fails discovery for that extension after importTimeoutMs; the others are discovered', async () => {
    const began = performance.now();
    const result = await discover([stuck], { importTimeoutMs: 300 });
    expect(performance.now() - began).toBeLessThan(3000);
    expect(result.definitions.map((d) => d.name).sort()).toEqual(['fine', 'stuck-yaml']);
    expect(result.problems).toHaveLength(1);
    const [problem] = result.problems;
    expect(problem).toBeInstanceOf(ExtensionLoadError);
    expect(problem.code).toBe('EXT_ERR_LOAD');
    expect(problem.message).toBe(
      `Importing ${join(stuck, 'stuck.ts')} did not finish within 300 ms: its top-level code (a top-level await, say) is stuck. Node cannot cancel an import, so the module stays pending in this process; fix what it waits for, or raise importTimeoutMs.`,
    );
  }, 5000);

  it('does not hang forRoot(): the YAML service that never imports fails, the rest serve', async () => {
    booted = await bootApp({ searchPaths: [stuck], importTimeoutMs: 300, onBootFailure: 'continue' });
    const { manager, router } = booted;
    expect(manager.getState('fine')).toBe('started');
    expect(router.route('fine-model').extension).toBe('fine');
    expect(manager.getState('stuck-yaml')).toBe('failed');
    const report = await manager.getExtensionInfo('stuck-yaml');
    expect(report.error).toEqual({
      code: 'EXT_ERR_LOAD',
      message: expect.stringContaining(`Importing ${join(stuck, 'stuck-yaml', 'service.ts')} did not finish within 300 ms: its top-level code`),
    });
    expect(manager.getDiscoveryProblems().map((p) => p.message)).toEqual([expect.stringContaining(join(stuck, 'stuck.ts'))]);
  }, 5000);

  it.each([0, -1, Number.NaN, 2 ** 31, '100'])('refuses importTimeoutMs %p', async (value) => {
    await expect(discover([stuck], { importTimeoutMs: value as number })).rejects.toThrow(ExtensionConfigError);
    await expect(ExtensionsModule.forRoot({ searchPaths: [stuck], importTimeoutMs: value as number })).rejects.toThrow(
      expect.objectContaining({ code: 'EXT_ERR_CONFIG', message: expect.stringContaining('importTimeoutMs: must be a positive number of milliseconds') }),
    );
  });
});
