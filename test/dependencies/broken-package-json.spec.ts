import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPackages, ExtensionDependencyError, ExtensionManager, installedVersion, validateAllDependencies } from '../../src/index.js';
import { bootApp, type BootedApp } from '../support/boot.js';

/*
 * A package.json in an extension's node_modules that is not valid JSON (a broken install, a
 * merge conflict) is that extension's problem: an ExtensionDependencyError naming the file, not a
 * raw SyntaxError out of validateAllDependencies() or the package check at load. Made at run time:
 * a broken package.json does not belong in the repository.
 */

const root = mkdtempSync(join(tmpdir(), 'broken-package-json-'));
const extension = join(root, 'needs-broken');
const brokenFile = join(extension, 'node_modules', 'broken-json', 'package.json');

function write(file: string, text: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
}

write(join(extension, 'extension.yaml'), 'name: needs-broken\ndependencies:\n  packages: [broken-json@^1, fine-pkg@^1, null-json]\nservice:\n  class_path: service.Service\n');
write(join(extension, 'service.mjs'), 'export class Service {}\n');
write(brokenFile, '{ "name": "broken-json", "version": "1.0.0",, }\n');
write(join(extension, 'node_modules', 'fine-pkg', 'package.json'), '{ "name": "fine-pkg", "version": "1.2.0" }\n');
write(join(extension, 'node_modules', 'null-json', 'package.json'), 'null\n');
write(join(root, 'fine', 'extension.yaml'), 'name: fine\nservice:\n  class_path: service.Service\n');
write(join(root, 'fine', 'service.mjs'), 'export class Service {}\n');

let booted: BootedApp | undefined;
afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function expectNamesTheFiles(error: ExtensionDependencyError): void {
  expect(error).toBeInstanceOf(ExtensionDependencyError);
  expect(error.code).toBe('EXT_ERR_DEPENDENCY');
  expect(error.extensionName).toBe('needs-broken');
  expect(error.message).toContain(`broken-json: cannot read ${brokenFile}: it is not valid JSON (`);
  expect(error.message).toContain(`null-json: cannot read ${join(extension, 'node_modules', 'null-json', 'package.json')}: it is not a JSON object`);
  expect(error.message).toContain('Fix: npm install "broken-json@^1" null-json');
  expect(error.unreadable.map((u) => u.package)).toEqual(['broken-json', 'null-json']);
}

describe('a malformed package.json in an extension\'s node_modules', () => {
  it('is that extension\'s problem in validateAllDependencies(); the others are still checked', async () => {
    const manager = new ExtensionManager();
    await manager.discoverExtensions([root]);
    const report = validateAllDependencies(manager);
    expect(report.fine).toEqual({ valid: true, missing: [], mismatched: [] });
    expect(report['needs-broken']).toMatchObject({ valid: false, missing: [], mismatched: [] });
    expectNamesTheFiles(report['needs-broken'].error!);
  });

  it('fails the load with an ExtensionDependencyError naming the file', async () => {
    const manager = new ExtensionManager();
    await manager.discoverExtensions([root]);
    const error = (await manager.loadExtension('needs-broken').catch((e: unknown) => e)) as ExtensionDependencyError;
    expectNamesTheFiles(error);
    expect(manager.getState('needs-broken')).toBe('failed');
  });

  it('fails that extension at boot; the others serve', async () => {
    booted = await bootApp({ searchPaths: [root], onBootFailure: 'continue' });
    expect(booted.manager.getState('fine')).toBe('started');
    expect(booted.manager.getState('needs-broken')).toBe('failed');
    expect((await booted.manager.getExtensionInfo('needs-broken')).error).toEqual({ code: 'EXT_ERR_DEPENDENCY', message: expect.stringContaining(brokenFile) });
  });

  it('checkPackages() lists it as unreadable; installedVersion() throws an ExtensionDependencyError naming the file', () => {
    const check = checkPackages({ root: extension, requires: [{ spec: 'broken-json@^1', name: 'broken-json', range: '^1' }] });
    expect(check).toEqual({ valid: false, missing: [], mismatched: [], unreadable: [{ package: 'broken-json', file: brokenFile, reason: expect.stringContaining('is not valid JSON') }] });
    expect(() => installedVersion('broken-json', extension)).toThrow(ExtensionDependencyError);
    expect(() => installedVersion('broken-json', extension)).toThrow(brokenFile);
    expect(installedVersion('fine-pkg', extension)).toBe('1.2.0');
  });
});
