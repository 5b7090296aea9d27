import { describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import { discover, ExtensionManager } from '../../src/index.js';

const family = resolve('test/fixtures/inheritance/family');

describe('a decorator extension that extends another', () => {
  it('inherits config fields (a redeclared one replaces the whole declaration), capabilities and packages, not models', async () => {
    const { definitions, problems } = await discover([family]);
    expect(problems).toEqual([]);
    const byName = Object.fromEntries(definitions.map((d) => [d.name, d]));
    expect(Object.keys(byName)).toEqual(['base', 'child']);
    const child = byName.child;
    expect(child.configFields.map((f) => f.name)).toEqual(['apiKey', 'baseUrl', 'timeout', 'extra']);
    expect(child.configFields[0]).toMatchObject({ required: false, default: 'local', envVar: 'CHILD_API_KEY', secret: true });
    expect(child.configFields[1]).toMatchObject({ default: 'http://child.invalid/v1', envVar: 'CHILD_URL' });
    expect(child.configFields[2]).toMatchObject({ type: 'integer', default: 60 });
    expect(child.capabilities).toEqual(['streaming', 'vision']);
    expect(child.requires.map((r) => r.spec)).toEqual(['semver@^7']);
    expect(child.models.map((m) => m.name)).toEqual(['child-model']);
    // The base is untouched by its subclass.
    expect(byName.base.configFields.map((f) => [f.name, f.default])).toEqual([
      ['apiKey', undefined],
      ['baseUrl', 'http://base.invalid/v1'],
      ['timeout', 60],
    ]);
    expect(byName.base.models.map((m) => m.name)).toEqual(['base-model']);
  });

  it('registers a base class re-exported beside its subclass once, and both run side by side', async () => {
    const manager = new ExtensionManager({}, { env: () => undefined });
    expect(await manager.discoverExtensions([family])).toEqual(['base', 'child']);
    expect(manager.getDiscoveryProblems()).toEqual([]);
    await manager.loadExtension('base', { apiKey: 'base-key-1234' });
    const child = (await manager.loadExtension('child')) as { config: Record<string, unknown> };
    expect(child.config).toEqual({ apiKey: 'local', baseUrl: 'http://child.invalid/v1', timeout: 60, extra: 'x' });
    expect(manager.modelRouter.route('child-model').extension).toBe('child');
    expect(manager.modelRouter.route('base-model').extension).toBe('base');
  });

  it('reports an exported subclass without an @Extension of its own', async () => {
    const { definitions, problems } = await discover([resolve('test/fixtures/inheritance/heir')]);
    expect(definitions).toEqual([]);
    expect(problems.map((p) => p.message).join('\n')).toMatch(/ForgetfulExtension.*extends the extension class BaseExtension but has no @Extension of its own/);
  });
});
