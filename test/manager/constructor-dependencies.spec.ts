import { afterEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import 'reflect-metadata';
import { ExtensionBootError, ExtensionErrorCode } from '../../src/index.js';
import { appFixture, bootApp, bootFailure, type BootedApp } from '../support/boot.js';

/*
 * Extensions compiled by tsx or esbuild carry no decorator metadata: a constructor parameter after the
 * config has no type to inject by. The fixtures are plain .mjs files shaped like esbuild's output.
 */
const noMetadata = appFixture('no-metadata');
const message =
  'Cannot build extension "esbuilt": constructor parameter 2 (http) of EsbuiltExtension has no injection token: the class was compiled without decorator metadata (tsx and esbuild do not emit it; tsc, nest build and ts-jest do). Add @Inject(TheToken) to that parameter, or compile with tsc and emitDecoratorMetadata.';

let booted: BootedApp | undefined;

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
});

describe('an extension compiled without decorator metadata', () => {
  it('is what the fixture mimics: a decorated class with two constructor parameters and no design:paramtypes', async () => {
    const { EsbuiltExtension } = await import(pathToFileURL(join(noMetadata, 'esbuilt.mjs')).href);
    expect(EsbuiltExtension.length).toBe(2);
    expect(Reflect.getMetadataKeys(EsbuiltExtension)).not.toContain('design:paramtypes');
    expect(Reflect.getMetadataKeys(EsbuiltExtension).length).toBeGreaterThan(0);
  });

  it('fails under continue with an error naming the extension and the parameter, while one with @Inject serves', async () => {
    booted = await bootApp({ searchPaths: [noMetadata], onBootFailure: 'continue' });
    const { manager, journal } = booted;
    expect(manager.getState('esbuilt')).toBe('failed');
    const report = await manager.getExtensionInfo('esbuilt');
    expect(report.error).toEqual({ code: ExtensionErrorCode.LOAD, message });
    expect(manager.getState('injected')).toBe('started');
    expect(journal.events).toEqual(['injected:start']);
  });

  it('fails the boot under abort with the same message', async () => {
    const { error } = await bootFailure({ searchPaths: [noMetadata], onBootFailure: 'abort' });
    expect(error).toBeInstanceOf(ExtensionBootError);
    expect(error.message).toContain(message);
  });
});
