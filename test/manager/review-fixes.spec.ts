import { describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { inspect } from 'node:util';
import { ExtensionConfigError, ExtensionManager, ExtensionsModule, InjectExtension } from '../../src/index.js';
import { host } from '../fixtures/apps/reentrant/group.js';
import { appFixture, LogCollector } from '../support/boot.js';

const KEY = 'sk-odd-secret-key';

describe('an extension that calls the manager from its own lifecycle code', () => {
  it('does not wait behind itself: start() may load and start extensions of its own group', async () => {
    const manager = new ExtensionManager({ timeouts: { setup: 1000, start: 1000, stop: 1000 } });
    host.manager = manager;
    await manager.discoverExtensions([appFixture('reentrant')]);
    await manager.loadExtension('base');
    await manager.startExtension('base');
    await manager.loadExtension('needy');
    const began = performance.now();
    await manager.startExtension('needy');
    expect(performance.now() - began).toBeLessThan(900);
    expect(['base', 'needy', 'helper'].map((n) => manager.getState(n))).toEqual(['started', 'started', 'started']);
  });
});

describe('startAllExtensions() and a concurrent unload', () => {
  it('leaves an extension unloaded meanwhile as it is, not failed', async () => {
    const manager = new ExtensionManager();
    await manager.discoverExtensions([appFixture('reentrant')]);
    await manager.loadExtension('shaky', { failIn: 'start' });
    await manager.loadExtension('leaning');
    const all = manager.startAllExtensions().catch((e: unknown) => e);
    await manager.unloadExtension('leaning');
    const error = (await all) as { errors: { extensionName: string }[] };
    expect(manager.getState('leaning')).toBe('discovered');
    expect(error.errors.map((e) => e.extensionName)).toEqual(['shaky']);
  });
});

describe('the handle is a faithful, secret-safe stand-in', () => {
  async function odd() {
    const manager = new ExtensionManager();
    await manager.discoverExtensions([appFixture('odd')]);
    await manager.loadExtension('odd');
    return { manager, handle: manager.getHandle<Record<PropertyKey, unknown> & Iterable<number>>('odd') };
  }

  it('is not thenable, so @InjectExtension injects the handle even when the instance has then()', async () => {
    @Injectable()
    class UsesOdd {
      constructor(@InjectExtension('odd') readonly odd: { config: { apiKey: string } }) {}
    }
    @Module({ providers: [UsesOdd] })
    class Feature {}
    const moduleRef = await Test.createTestingModule({ imports: [ExtensionsModule.forRoot({ searchPaths: [appFixture('odd')], healthPath: false }), Feature] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      expect(app.get(UsesOdd).odd.config.apiKey).toBe(KEY);
    } finally {
      await app.close();
    }
  });

  it('scrubs a throwing getter, binds symbol methods, serializes and prints without the config', async () => {
    const { handle } = await odd();
    expect(() => handle.broken).toThrow('getter failed with ***');
    expect([...handle]).toEqual([0, 1, 2]);
    expect(JSON.stringify(handle)).toBe('{"extension":"odd","state":"loaded"}');
    expect(inspect(handle)).toBe("ExtensionHandle { extension: 'odd', state: 'loaded' }");
    expect(() => Object.freeze(handle)).toThrow(TypeError);
    expect(handle.config).toMatchObject({ apiKey: KEY });
  });

  it('scrubs a failure that arrives after the extension was unloaded, in a call and in a health check', async () => {
    const { manager, handle } = await odd();
    const failing = (handle.slowFailure as (ms: number) => Promise<never>)(60).catch((e: Error) => e.message);
    await manager.startExtension('odd');
    const health = manager.checkHealth('odd');
    await manager.unloadExtension('odd');
    expect(await failing).toBe('late failure with ***');
    expect((await health).message).toBe('health failed with ***');
  });
});

describe('more option checks', () => {
  it.each([
    [{ timeouts: 5000 }, 'timeouts', 'must be an object such as { start: 10000 } (got number)'],
    [{ autoStart: 'false' }, 'autoStart', 'must be true or false (got string)'],
  ])('refuses %j', (options, field, message) => {
    const error = (() => {
      try {
        new ExtensionManager(options as never);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ExtensionConfigError);
    expect((error as ExtensionConfigError).issues).toEqual([{ field, message }]);
  });

  it('takes null as no options, and warns about extensionOptions for an extension it does not know', async () => {
    expect(() => new ExtensionManager(null)).not.toThrow();
    const logs = new LogCollector();
    const moduleRef = await Test.createTestingModule({
      imports: [ExtensionsModule.forRoot({ searchPaths: [appFixture('odd')], healthPath: false, extensionOptions: { od: { onBootFailure: 'continue' } } })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: logs });
    await app.init();
    await app.close();
    expect(logs.text).toContain('warn: extensionOptions names "od", which was not discovered; it is ignored. Did you mean "odd"?');
  });
});
