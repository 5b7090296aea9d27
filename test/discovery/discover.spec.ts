import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { join, resolve } from 'node:path';
import { discover } from '../../src/discovery/discover.js';
import { ExtensionDependencyError, ExtensionLoadError, ExtensionManager, ExtensionNotFound, ExtensionValidationError } from '../../src/index.js';
import { bootApp, bootFailure } from '../support/boot.js';

const fixtures = resolve('test/fixtures/discovery');

describe('discover()', () => {
  it('finds single-file, package-folder and YAML-folder extensions and skips the rest', async () => {
    const result = await discover([join(fixtures, 'shapes')]);
    expect(result.problems).toEqual([]);
    const found = Object.fromEntries(result.definitions.map((d) => [d.name, d]));
    expect(Object.keys(found).sort()).toEqual(['alpha', 'beta', 'delta', 'dual', 'epsilon', 'gamma', 'zeta']);
    expect(found.alpha.source).toBe(join(fixtures, 'shapes', 'single.ts'));
    expect(found.alpha.root).toBe(join(fixtures, 'shapes'));
    expect(found.gamma).toMatchObject({ style: 'decorator', description: 'from a package folder', root: join(fixtures, 'shapes', 'pkg') });
    expect(found.epsilon).toMatchObject({ style: 'config', version: '0.3.0', author: 'Fixture', capabilities: ['streaming'] });
    expect(found.epsilon.models[0]).toMatchObject({ name: 'eps-model', maxTokens: 100, costPerToken: 0.001, capabilities: ['text'] });
    expect(found.epsilon.configFields[0]).toMatchObject({ name: 'token', secret: true });
    expect((await found.zeta.loadClass()).name).toBe('ZetaService');
  });

  it('takes x.ts and x.js as one extension: the source under a TypeScript loader', async () => {
    const result = await discover([join(fixtures, 'shapes')]);
    const duals = result.definitions.filter((d) => d.name === 'dual');
    expect(duals).toHaveLength(1);
    expect(duals[0].description).toBe('typescript source');
  });

  it('takes the compiled .js where no TypeScript loader is active, and reports lone .ts files with a hint', async () => {
    const result = await discover([join(fixtures, 'shapes')], { typescript: false });
    const dual = result.definitions.find((d) => d.name === 'dual');
    expect(dual?.description).toBe('compiled javascript');
    const single = result.problems.find((p) => p.message.includes('single.ts'));
    expect(single).toBeInstanceOf(ExtensionLoadError);
    expect(single!.message).toContain('no TypeScript loader is active');
    expect(single!.message).toContain('Build it (nest build or tsc)');
  });

  it('reports every broken extension in a path and still discovers the others', async () => {
    const result = await discover([join(fixtures, 'mixed')]);
    expect(result.definitions.map((d) => d.name).sort()).toEqual(['also-good', 'good']);
    expect(result.problems).toHaveLength(4);
    const about = (text: string) => result.problems.find((p) => p.message.includes(text));

    const yaml = about('broken-yaml') as ExtensionValidationError;
    expect(yaml).toBeInstanceOf(ExtensionValidationError);
    expect(yaml.issues.map((i) => i.field).sort()).toEqual(['name', 'service.class_path', 'version']);

    const orphan = about('orphan.ts') as ExtensionValidationError;
    expect(orphan).toBeInstanceOf(ExtensionValidationError);
    expect(orphan.message).toBe(
      `Invalid extension in ${join(fixtures, 'mixed', 'orphan.ts')} (1 problem):\n  - Orphan: has @Model/@ConfigField/@Requires/@Capability but no @Extension({ name }); add @Extension\nFix the fields above and restart.`,
    );

    const thrown = about('throws.ts');
    expect(thrown).toBeInstanceOf(ExtensionLoadError);
    expect(thrown!.message).toContain('this module fails while it is imported');

    const missing = about('needs-package.ts') as ExtensionDependencyError;
    expect(missing).toBeInstanceOf(ExtensionDependencyError);
    expect(missing.missing).toEqual(['gleitzeit-package-that-is-not-installed']);
    expect(missing.message).toContain('npm install gleitzeit-package-that-is-not-installed');
  });

  it('reports the same name in two places, naming both', async () => {
    const result = await discover([join(fixtures, 'dup-one'), join(fixtures, 'dup-two')]);
    expect(result.definitions.map((d) => d.name)).toEqual(['same']);
    const [problem] = result.problems as ExtensionValidationError[];
    expect(problem).toBeInstanceOf(ExtensionValidationError);
    expect(problem.message).toBe(
      `Extension name "same" is defined twice: in ${join(fixtures, 'dup-one', 'same.ts')} and in ${join(fixtures, 'dup-two', 'same', 'extension.yaml')}. Rename one of them or remove one folder from searchPaths.`,
    );
  });

  it('reports the same name found by a later discoverExtensions() call, and keeps the first', async () => {
    // A manager outside Nest logs through Nest's Logger: watch it, and check the problem is logged once.
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const manager = new ExtensionManager();
    expect(await manager.discoverExtensions([join(fixtures, 'dup-one')])).toEqual(['same']);
    expect(await manager.discoverExtensions([join(fixtures, 'dup-two')])).toEqual([]);
    expect(await manager.discoverExtensions([join(fixtures, 'dup-one')])).toEqual(['same']);
    const problems = manager.getDiscoveryProblems();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBeInstanceOf(ExtensionValidationError);
    expect(problems[0].message).toContain('Extension name "same" is defined twice');
    expect(manager.listAvailable().same.style).toBe('decorator');
    expect(error.mock.calls.map(([message]) => String(message).split(':')[0])).toEqual(['Extension name "same" is defined twice']);
    error.mockRestore();
  });

  it('warns about a search path that does not exist or is a file', async () => {
    const result = await discover([join(fixtures, 'no-such-folder'), join(fixtures, 'shapes', 'single.ts')]);
    expect(result.definitions).toEqual([]);
    expect(result.warnings).toEqual([
      `Search path ${join(fixtures, 'no-such-folder')} is not a folder; no extensions were loaded from it.`,
      `Search path ${join(fixtures, 'shapes', 'single.ts')} is not a folder; no extensions were loaded from it.`,
    ]);
  });

  it('warns about a search path with nothing in it', async () => {
    const result = await discover([join(fixtures, 'empty')]);
    expect(result.definitions).toEqual([]);
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([
      `Search path ${join(fixtures, 'empty')} has no extensions in it: no extension module (name.js with an @Extension class), no folder with extension.yaml, index.* or extension.*. Check searchPaths; in a built app, point it at the compiled folder (dist/...).`,
    ]);
  });

  it('warns about a folder with code but no manifest: a YAML extension whose extension.yaml was not copied to dist/', async () => {
    const result = await discover([join(fixtures, 'missing-manifest')]);
    expect(result.definitions).toEqual([]);
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([
      `Search path ${join(fixtures, 'missing-manifest')} has no extensions in it: no extension module (name.js with an @Extension class), no folder with extension.yaml, index.* or extension.*. Check searchPaths; in a built app, point it at the compiled folder (dist/...).`,
      `Folder ${join(fixtures, 'missing-manifest', 'greeter')} has neither extension.yaml/extension.yml nor an index or extension module, so it was skipped. If it is a YAML extension, its manifest is missing here: a build does not copy extension.yaml into dist/ by itself; with nest build, list the manifests under compilerOptions.assets in nest-cli.json, e.g. "assets": [{ "include": "../extensions/**/*.{yaml,yml}", "outDir": "dist" }].`,
    ]);
  });

  it('warns about folders without code that are no extension, next to ones that are', async () => {
    const result = await discover([join(fixtures, 'shapes')]);
    expect(result.warnings).toEqual([
      `Folder ${join(fixtures, 'shapes', 'nested')} has neither extension.yaml/extension.yml nor an index or extension module, so it was skipped. Remove it from the search path, or start its name with _ to skip it quietly.`,
      `Folder ${join(fixtures, 'shapes', 'notes')} has neither extension.yaml/extension.yml nor an index or extension module, so it was skipped. Remove it from the search path, or start its name with _ to skip it quietly.`,
    ]);
  });

  it('does not call a path empty when what it holds is broken or a duplicate', async () => {
    const result = await discover([join(fixtures, 'dup-one'), join(fixtures, 'dup-two'), join(fixtures, 'mixed')]);
    expect(result.problems.length).toBeGreaterThan(0);
    expect(result.warnings).toEqual([]);
  });

  it('forRoot logs the warnings, and an explicitly named extension that was not found carries them', async () => {
    // forRoot discovers while the module compiles, before the app's logger is set: watch Logger itself.
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const booted = await bootApp({ searchPaths: [join(fixtures, 'missing-manifest')] });
      expect(booted.manager.listAvailable()).toEqual({});
      await booted.app.close();
      const warnings = warn.mock.calls.map(([message]) => String(message));
      expect(warnings.filter((w) => w.startsWith(`Search path ${join(fixtures, 'missing-manifest')} has no extensions in it`))).toHaveLength(1);
      const folder = warnings.filter((w) => w.startsWith(`Folder ${join(fixtures, 'missing-manifest', 'greeter')} has neither extension.yaml`));
      expect(folder).toHaveLength(1);
      expect(folder[0]).toContain('compilerOptions.assets in nest-cli.json');
    } finally {
      warn.mockRestore();
    }

    const { error } = await bootFailure({ searchPaths: [join(fixtures, 'missing-manifest')], extensions: ['greeter'] }).catch((e: Error) => ({ error: e }));
    expect(error).toBeInstanceOf(ExtensionNotFound);
    expect(error.message).toContain('Extension "greeter" is not registered. No extension was discovered: check searchPaths. Discovery warned: ');
    expect(error.message).toContain('its manifest is missing here');
  });
});

describe('discovery imports at once', () => {
  it('imports the modules of a search path concurrently, and registers them in order', async () => {
    const log: string[] = [];
    (globalThis as { __importLog?: string[] }).__importLog = log;
    const { definitions, problems } = await discover([resolve('test/fixtures/discovery/concurrent')]);
    expect(problems).toEqual([]);
    expect(definitions.map((d) => d.name)).toEqual(['slow-a', 'slow-b']);
    // b's import began before a's ended: they overlapped.
    expect(log.indexOf('b:start')).toBeLessThan(log.indexOf('a:end'));
  });
});
