import { describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import { ExtensionDependencyError, ExtensionManager, parsePackageSpec, validateAllDependencies } from '../../src/index.js';

const fixtures = resolve('test/fixtures/dependencies');

describe('package specifiers', () => {
  it.each([
    ['openai', 'openai', '*'],
    ['openai@^4.2', 'openai', '^4.2'],
    ['openai>=1.2', 'openai', '>=1.2'],
    ['@scope/pkg@~2', '@scope/pkg', '~2'],
    ['@scope/pkg', '@scope/pkg', '*'],
    ['requests>=2.0,<3', 'requests', '>=2.0 <3'],
    ['lib==1.2.3', 'lib', '=1.2.3'],
    ['lib~=1.4', 'lib', '~1.4'],
  ])('%s', (spec, name, range) => {
    expect(parsePackageSpec(spec)).toEqual({ spec, name, range });
  });

  it.each(['not a spec!', 'pkg@not-a-range', '@/nothing', 'pkg!=1'])('%s is refused', (spec) => {
    expect(parsePackageSpec(spec)).toBeUndefined();
  });
});

describe('package dependencies', () => {
  it('resolves packages from the extension folder, including ESM-only ones that hide package.json', async () => {
    const manager = new ExtensionManager();
    await manager.discoverExtensions([fixtures]);
    expect(validateAllDependencies(manager)['deps-ok']).toEqual({ valid: true, missing: [], mismatched: [] });
    await expect(manager.loadExtension('deps-ok')).resolves.toBeDefined();
  });

  it('lists every missing and mismatched package in one error with the npm command', async () => {
    const manager = new ExtensionManager();
    await manager.discoverExtensions([fixtures]);
    const error = (await manager.loadExtension('deps-bad').catch((e) => e)) as ExtensionDependencyError;
    expect(error).toBeInstanceOf(ExtensionDependencyError);
    expect(error.code).toBe('EXT_ERR_DEPENDENCY');
    expect(error.missing).toEqual(['not-installed-pkg>=1', '@scope/missing@~2']);
    expect(error.mismatched).toEqual([{ package: 'old-lib', required: '^2', installed: '1.0.0' }]);
    expect(error.message).toBe(
      [
        `The extension "deps-bad" in ${fixtures}/deps-bad.ts needs packages that are missing or in the wrong version:`,
        '  - not-installed-pkg>=1: not installed',
        '  - @scope/missing@~2: not installed',
        '  - old-lib: requires ^2, installed 1.0.0',
        'Fix: npm install "old-lib@^2" "not-installed-pkg@>=1" "@scope/missing@~2"',
      ].join('\n'),
    );
    expect(manager.getState('deps-bad')).toBe('failed');
    expect(validateAllDependencies(manager)['deps-bad']).toEqual({ valid: false, missing: error.missing, mismatched: error.mismatched });
  });

  it('checks a YAML extension before its service module is imported', async () => {
    const manager = new ExtensionManager();
    await manager.discoverExtensions([fixtures]);
    const error = (await manager.loadExtension('yaml-needs').catch((e) => e)) as ExtensionDependencyError;
    expect(error).toBeInstanceOf(ExtensionDependencyError);
    expect(error.missing).toEqual(['gleitzeit-absent-pkg@^1']);
    expect(error.message).not.toContain('must not be imported');
  });
});
