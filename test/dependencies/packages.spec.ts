import { describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import semver from 'semver';
import { definitionFromClass } from '../../src/definition/decorator-definition.js';
import { ExtensionDependencyError, ExtensionValidationError, Extension, Requires, ExtensionManager, parsePackageSpec, validateAllDependencies } from '../../src/index.js';

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
    ['lib~=1.4', 'lib', '>=1.4 <2'],
    ['lib~=1.4.2', 'lib', '>=1.4.2 <1.5'],
    ['lib==1.2', 'lib', '=1.2.0'],
    ['lib==1.2.*', 'lib', '1.2.x'],
    ['lib >= 1.2 , < 2', 'lib', '>=1.2 <2'],
  ])('%s', (spec, name, range) => {
    expect(parsePackageSpec(spec)).toEqual({ spec, name, range });
  });

  it.each(['not a spec!', 'pkg@not-a-range', '@/nothing', 'pkg~=1', 'pkg==1.0a1', 'pkg>=1 <2'])('%s is refused', (spec) => {
    expect(parsePackageSpec(spec)).toBeUndefined();
  });
});

/** What checkPackages does with a range: prereleases count. */
const allows = (spec: string, version: string) => semver.satisfies(version, parsePackageSpec(spec)!.range, { includePrerelease: true });

describe('pip-style specifiers keep their pip meaning; npm ones their npm meaning', () => {
  it.each([
    ['x~=1.4', ['1.4.0', '1.5.0', '1.99.3'], ['1.3.9', '2.0.0', '2.0.0-rc.1']],
    ['x~=1.4.2', ['1.4.2', '1.4.9'], ['1.4.1', '1.5.0', '1.5.0-beta.1']],
    ['x~=0.4', ['0.4.0', '0.9.1'], ['0.3.9', '1.0.0']],
    ['x==1.2', ['1.2.0'], ['1.2.5', '1.3.0', '1.2.0-beta.1']],
    ['x==1.2.*', ['1.2.0', '1.2.9'], ['1.1.9', '1.3.0']],
    ['x===1.2.3', ['1.2.3'], ['1.2.4', '1.2.30']],
    ['x>=1.2,<2', ['1.2.0', '1.9.9'], ['1.1.0', '2.0.0', '2.0.0-rc.1']],
    ['x<=1.2', ['1.1.0', '1.2.0'], ['1.2.5']],
    ['x>1.2', ['1.2.5', '1.3.0'], ['1.2.0']],
    ['x<1.2.3', ['1.2.2'], ['1.2.3', '1.2.3-beta.1']],
    ['x>=1,!=1.5.0', ['1.4.0', '1.6.0'], ['0.9.0', '1.5.0']],
    ['x!=1.5.*,<3', ['1.4.9', '1.6.0'], ['1.5.0', '1.5.3', '3.0.0']],
    ['x@~1.4', ['1.4.9'], ['1.5.0']],
    ['x@^1', ['1.9.0'], ['2.0.0']],
    ['x@1.2', ['1.2.5'], ['1.3.0']],
  ])('%s allows %j and not %j', (spec, allowed, refused) => {
    for (const version of allowed) expect([version, allows(spec, version)]).toEqual([version, true]);
    for (const version of refused) expect([version, allows(spec, version)]).toEqual([version, false]);
  });

  it.each([
    ['x~=1', '~= needs at least two version parts, e.g. x~=1.4'],
    ['x===1.2', '=== compares the exact version: write all three parts, e.g. x===1.2.0'],
    ['x>=1.*', 'a wildcard (.*) only goes with == or !='],
    ['x==1.0a1', '"1.0a1" is not a version of numbers such as 1.2 or 1.2.3'],
    ['x==1.2.3.4', '"1.2.3.4" is not a version of numbers such as 1.2 or 1.2.3'],
    ['x>=1 <2', 'separate pip comparators with commas (x>=1,<2), or write an npm range after @ (x@>=1 <2)'],
    ['x^1', 'npm ranges go after @ (x@^1)'],
  ])('%s is refused saying %j', (spec, text) => {
    @Extension({ name: 'needs-x' })
    @Requires(spec)
    class NeedsX {}
    const error = (() => {
      try {
        definitionFromClass(NeedsX, '/x/needs-x.ts', '/x');
      } catch (e) {
        return e as ExtensionValidationError;
      }
    })();
    expect(error).toBeInstanceOf(ExtensionValidationError);
    expect(error!.issues).toEqual([{ field: '@Requires[0]', message: `"${spec}" is not a package specifier: ${text}` }]);
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
    expect(validateAllDependencies(manager)['deps-bad']).toEqual({ valid: false, missing: error.missing, mismatched: error.mismatched, error: expect.objectContaining({ message: error.message }) });
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
