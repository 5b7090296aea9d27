import { afterEach, describe, expect, it } from '@jest/globals';
import {
  ExtensionBootError,
  ExtensionLifecycleError,
  ExtensionStateError,
  ExtensionTimeoutError,
} from '../../src/index.js';
import { appFixture, bootApp, bootFailure, type BootedApp } from '../support/boot.js';

const workers = appFixture('workers');
let booted: BootedApp | undefined;

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
});

describe('lifecycle through Nest hooks', () => {
  it('injects providers, runs setup then start in dependency order, and stops in reverse', async () => {
    booted = await bootApp({ searchPaths: [appFixture('lifecycle')], extensionConfigs: { cache: { size: 4 } } });
    const { journal, manager, app } = booted;
    expect(journal.events).toEqual(['base:setup', 'base:start', 'cache:setup:4:cache-model', 'cache:start', 'api:setup', 'api:start']);
    expect(manager.listLoaded()).toEqual(['api', 'base', 'cache']);
    await app.close();
    booted = undefined;
    expect(journal.events.slice(6)).toEqual(['api:stop', 'cache:stop', 'base:stop']);
    expect(manager.getState('base')).toBe('stopped');
  });

  it('selecting an extension boots what it depends on, and nothing else', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-c'] });
    expect(booted.journal.events).toEqual(['worker-a:setup', 'worker-a:start', 'worker-c:setup', 'worker-c:start']);
    expect(booted.manager.getState('worker-b')).toBe('discovered');
  });

  it('runs every stop() even when one throws, and still closes', async () => {
    booted = await bootApp({ searchPaths: [workers], extensionConfigs: { 'worker-c': { failIn: 'stop' } } });
    const { journal, logs, app, manager } = booted;
    await app.close();
    booted = undefined;
    expect(journal.events.filter((e) => e.endsWith(':stop'))).toEqual(['worker-c:stop', 'worker-b:stop', 'worker-a:stop']);
    expect(logs.text).toContain('Extensions failed to stop (1 extension):');
    expect(logs.text).toContain('Extension "worker-c" failed in stop(): stop broke while using key ***');
    expect(manager.getState('worker-c')).toBe('failed');
  });

  it('aborts the boot naming every failed extension, after stopping what had started', async () => {
    const { error, journal } = await bootFailure({
      searchPaths: [workers],
      extensionConfigs: { 'worker-b': { failIn: 'setup' }, 'worker-a': { failIn: 'start' } },
    });
    expect(error).toBeInstanceOf(ExtensionBootError);
    const boot = error as ExtensionBootError;
    expect(boot.errors.map((e) => [e.extensionName, e.code])).toEqual([
      ['worker-a', 'EXT_ERR_LIFECYCLE'],
      ['worker-b', 'EXT_ERR_LIFECYCLE'],
      ['worker-c', 'EXT_ERR_DEPENDENCY'],
    ]);
    expect(boot.message).toContain('Extensions failed to boot (3 extensions):');
    expect(boot.message).toContain('Extension "worker-b" failed in setup(): setup broke while using key ***');
    expect(boot.message).toContain('Extension "worker-c" was not started: the extension it depends on, "worker-a", failed.');
    expect(boot.errors[1]).toBeInstanceOf(ExtensionLifecycleError);
    // worker-a's start() failed after its setup() succeeded: its stop() runs to release what setup() took.
    expect(journal.events).toEqual(['worker-a:setup', 'worker-a:start', 'worker-a:stop', 'worker-b:setup']);
  });

  it('stops, in reverse order, what had started before an abort', async () => {
    const { error, journal } = await bootFailure({ searchPaths: [workers], extensionConfigs: { 'worker-b': { failIn: 'setup' } } });
    expect((error as ExtensionBootError).errors.map((e) => e.extensionName)).toEqual(['worker-b']);
    expect(journal.events).toEqual([
      'worker-a:setup',
      'worker-a:start',
      'worker-b:setup',
      'worker-c:setup',
      'worker-c:start',
      'worker-c:stop',
      'worker-a:stop',
    ]);
  });

  it('turns a hang into a timeout error naming the extension and the phase', async () => {
    const began = performance.now();
    const { error } = await bootFailure({
      searchPaths: [workers],
      extensions: ['worker-b'],
      extensionConfigs: { 'worker-b': { hangIn: 'start' } },
      timeouts: { start: 100 },
    });
    expect(performance.now() - began).toBeLessThan(5000);
    const [timeout] = (error as ExtensionBootError).errors as ExtensionTimeoutError[];
    expect(timeout).toBeInstanceOf(ExtensionTimeoutError);
    expect(timeout.message).toBe(
      "Extension \"worker-b\" did not finish start() within 100 ms. Find what blocks in start(), or raise timeouts.start (globally or in extensionOptions['worker-b'].timeouts).",
    );
  });

  it('takes a per-extension timeout over the global one', async () => {
    const { error } = await bootFailure({
      searchPaths: [workers],
      extensions: ['worker-a', 'worker-b'],
      extensionConfigs: { 'worker-a': { hangIn: 'setup' } },
      timeouts: { setup: 60_000 },
      extensionOptions: { 'worker-a': { timeouts: { setup: 50 } } },
    });
    expect((error as ExtensionBootError).errors.map((e) => e.message)).toEqual([expect.stringContaining('within 50 ms')]);
  });

  it('a hanging stop() does not hang the shutdown', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a'], extensionConfigs: { 'worker-a': { hangIn: 'stop' } }, timeouts: { stop: 50 } });
    const { app, logs } = booted;
    booted = undefined;
    await app.close();
    expect(logs.text).toContain('did not finish stop() within 50 ms');
  });

  it('with continue, the failed extension is failed and leaves routing while the rest serve', async () => {
    booted = await bootApp({
      searchPaths: [workers],
      onBootFailure: 'continue',
      extensionConfigs: { 'worker-a': { failIn: 'start' } },
    });
    const { manager, router, logs } = booted;
    expect(manager.getState('worker-a')).toBe('failed');
    expect(manager.getState('worker-b')).toBe('started');
    expect(manager.getState('worker-c')).toBe('failed');
    expect(router.findExtensionForModel('shared-model')).toBe('worker-b');
    expect(router.findExtensionForModel('a-model')).toBeUndefined();
    expect(logs.text).toMatch(/Extensions \(1 started, 2 failed\)/);
  });

  it('takes a per-extension policy over the global one', async () => {
    booted = await bootApp({
      searchPaths: [workers],
      extensions: ['worker-a', 'worker-b'],
      extensionConfigs: { 'worker-b': { failIn: 'setup' } },
      extensionOptions: { 'worker-b': { onBootFailure: 'continue' } },
    });
    expect(booted.manager.getState('worker-a')).toBe('started');
    expect(booted.manager.getState('worker-b')).toBe('failed');
  });

  it('a config error under abort fails the boot with the config issues', async () => {
    const { error } = await bootFailure({ searchPaths: [workers], extensions: ['worker-a'], extensionConfigs: { 'worker-a': { failln: 'x' } } });
    expect(error.message).toContain('Invalid configuration for extension "worker-a" (1 problem):');
    expect(error.message).toContain('failln: is not a config field of this extension. Did you mean "failIn"?');
  });

  it('warns once at boot about every model that several extensions serve', async () => {
    booted = await bootApp({ searchPaths: [workers, appFixture('reserved')], extensions: ['worker-a', 'worker-b', 'reserved'] });
    const warnings = booted.logs.lines.filter((l) => l.includes('Models served by several extensions'));
    expect(warnings).toEqual([
      'warn: Models served by several extensions; routing picks by priority, then cost, then discovery order:\n  - shared-model: reserved, worker-a, worker-b (routes to reserved)',
    ]);
  });

  it('reports in the boot tree how long importing the module took', async () => {
    booted = await bootApp({ searchPaths: [appFixture('slow-import')] });
    const tree = booted.logs.lines.find((l) => l.includes('Extensions (1 started)'))!;
    const importMs = Number(/slow 1\.0\.0 \[decorator\] started {2}import (\d+)ms/.exec(tree)?.[1]);
    expect(importMs).toBeGreaterThanOrEqual(100);
  });

  it('logs a boot tree with style, version, models and timings', async () => {
    booted = await bootApp({ searchPaths: [appFixture('lifecycle')] });
    const tree = booted.logs.lines.find((l) => l.includes('Extensions (3 started)'))!;
    expect(tree).toMatch(/├─ api 1\.0\.0 \[decorator\] started {2}import \d+ms · setup \d+ms · start \d+ms {2}models: api-model/);
    expect(tree).toMatch(/└─ cache 1\.0\.0 \[config\] started/);
  });
});

describe('ExtensionManager at runtime', () => {
  it('loads, starts, stops, unloads and reloads an extension not selected at boot, with the router following', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a'] });
    const { manager, router, journal } = booted;
    expect(router.findExtensionForModel('c-model')).toBeUndefined();
    const instance = await manager.loadExtension('worker-c');
    expect(manager.isLoaded('worker-c')).toBe(true);
    expect((instance as { config: object }).config).toMatchObject({ failIn: '' });
    expect(router.findExtensionForModel('c-model')).toBe('worker-c');
    await manager.startExtension('worker-c');
    expect(journal.events.slice(-2)).toEqual(['worker-c:setup', 'worker-c:start']);
    await manager.stopExtension('worker-c');
    expect(router.findExtensionForModel('c-model')).toBeUndefined();
    await manager.startExtension('worker-c');
    expect(journal.events.slice(-1)).toEqual(['worker-c:start']);
    await manager.unloadExtension('worker-c');
    expect(manager.getState('worker-c')).toBe('discovered');
    expect(router.findExtensionForModel('c-model')).toBeUndefined();
    await manager.loadExtension('worker-c', { failIn: 'health' });
    expect(router.findExtensionForModel('c-model')).toBe('worker-c');
    expect(manager.getInstance<{ config: { failIn: string } }>('worker-c')!.config.failIn).toBe('health');
  });

  it('starts once when two startExtension calls race', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a'] });
    const { manager, journal } = booted;
    await manager.loadExtension('worker-b');
    await Promise.all([manager.startExtension('worker-b'), manager.startExtension('worker-b')]);
    expect(journal.events.filter((e) => e === 'worker-b:start')).toHaveLength(1);
    expect(manager.getInstance<{ started: number }>('worker-b')!.started).toBe(1);
  });

  it('says what to do when a step is called in the wrong state', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a'] });
    const { manager } = booted;
    await expect(manager.startExtension('worker-b')).rejects.toThrow(
      new ExtensionStateError("Cannot start extension \"worker-b\": it is discovered. Load it first (manager.loadExtension('worker-b')).", 'worker-b'),
    );
    await expect(manager.loadExtension('worker-a')).rejects.toThrow(
      "Cannot load extension \"worker-a\": it is started. Unload it first (manager.unloadExtension('worker-a')).",
    );
    await manager.loadExtension('worker-c');
    await manager.startExtension('worker-c');
    await expect(manager.unloadExtension('worker-a')).rejects.toThrow('Cannot unload extension "worker-a": it is needed by started worker-c. Stop those first.');
    await expect(manager.loadExtension('worker-x')).rejects.toThrow('Extension "worker-x" is not registered. Did you mean');
  });
});
