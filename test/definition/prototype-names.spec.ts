import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { definitionFromClass } from '../../src/definition/decorator-definition.js';
import { loadManifest } from '../../src/definition/manifest/manifest.loader.js';
import {
  ConfigField,
  createExtensionSummaryReport,
  Extension,
  ExtensionConfigError,
  ExtensionValidationError,
  Model,
  resolveConfig,
  validateAllDependencies,
} from '../../src/index.js';
import { appFixture, bootApp, type BootedApp } from '../support/boot.js';

/*
 * Names every plain object already has (Object.prototype's) as config field names, extension names,
 * model names and keys of config values: each is refused with a clear error or works; none crashes
 * with a TypeError, none changes Object.prototype.
 */

const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

/** What Object.prototype holds before any test ran: nothing may add to it. */
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
const polluted = () => Object.getOwnPropertyNames(Object.prototype).sort().filter((key) => !PROTOTYPE_KEYS.includes(key));

function validationError(fn: () => unknown): ExtensionValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ExtensionValidationError);
    return error as ExtensionValidationError;
  }
  throw new Error('expected an ExtensionValidationError');
}

let booted: BootedApp | undefined;

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
  expect(polluted()).toEqual([]);
});

describe('Object.prototype names as config field names', () => {
  it.each(PROTOTYPE_NAMES)('@ConfigField(%j) is refused with a clear issue, not a TypeError', (name) => {
    @Extension({ name: 'proto-field' })
    @ConfigField(name, { default: 'x' })
    class ProtoField {}
    const error = validationError(() => definitionFromClass(ProtoField, '/x/proto-field.ts', '/x'));
    expect(error.issues).toContainEqual({
      field: `@ConfigField('${name}')`,
      message: expect.stringContaining('is a property every JavaScript object has; rename the field'),
    });
    expect(error.message).toContain('Invalid extension "proto-field" in /x/proto-field.ts');
  });

  it('is refused in extension.yaml too, naming each field', async () => {
    const file = resolve('test/fixtures/manifests/proto-field-names/extension.yaml');
    const error = (await loadManifest(file, true).catch((e: unknown) => e)) as ExtensionValidationError;
    expect(error).toBeInstanceOf(ExtensionValidationError);
    expect(error.issues.map((i) => i.field).sort()).toEqual(['config.hasOwnProperty', 'config.toString', 'config.valueOf']);
    expect(error.message).toContain(file);
  });

  it('reserved keys inside decorator options (a default, an enum, a model) are issues, not a TypeError', () => {
    @Extension({ name: 'proto-values' })
    @Model('m', { constructor: 'not a class' } as never)
    @ConfigField('headers', { type: 'object', default: { constructor: { a: 1 } } })
    @ConfigField('mode', { enum: [{ constructor: 1 }] })
    class ProtoValues {}
    const error = validationError(() => definitionFromClass(ProtoValues, '/x/proto-values.ts', '/x'));
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { field: '@Model #0.constructor', message: expect.stringContaining('is a reserved key') },
        { field: "@ConfigField('headers').default.constructor", message: expect.stringContaining('is a reserved key') },
        { field: "@ConfigField('mode').enum[0].constructor", message: expect.stringContaining('is a reserved key') },
      ]),
    );
  });
});

describe('Object.prototype names as keys inside config values', () => {
  @Extension({ name: 'headers' })
  @ConfigField('headers', { type: 'object', envVar: 'HEADERS_JSON', secret: true })
  @ConfigField('labels', { type: 'object' })
  class Headers {}
  const definition = definitionFromClass(Headers, '/x/headers.ts', '/x');

  it.each([
    ['{"constructor": {"polluted": true}}', 'constructor'],
    ['{"constructor": "x"}', 'constructor'],
    ['{"__proto__": {"polluted": true}}', '__proto__'],
    ['{"a": {"b": {"__proto__": {"polluted": true}}}}', '__proto__'],
    ['{"prototype": 1}', 'prototype'],
  ])('a JSON env value %s is an ExtensionConfigError naming the field and the key, never the value', (json, key) => {
    let error: unknown;
    try {
      resolveConfig(definition, {}, (name) => (name === 'HEADERS_JSON' ? json : undefined));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExtensionConfigError);
    const { issues, message } = error as ExtensionConfigError;
    expect(issues).toEqual([{ field: 'headers', message: expect.stringContaining(`must not contain the key "${key}"`) }]);
    expect(message).toContain('environment variable HEADERS_JSON');
    expect(message).not.toContain('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an explicit value with such a key is refused the same way', () => {
    expect(() => resolveConfig(definition, { labels: JSON.parse('{"x": [{"constructor": 1}]}') })).toThrow(
      expect.objectContaining({ issues: [{ field: 'labels', message: expect.stringContaining('must not contain the key "constructor"') }] }),
    );
  });

  it('keys like toString or valueOf inside a value are data, and are kept', () => {
    const config = resolveConfig(definition, {}, () => '{"toString": 1, "valueOf": "v", "hasOwnProperty": true}');
    expect(config.headers).toEqual({ toString: 1, valueOf: 'v', hasOwnProperty: true });
  });
});

describe('Object.prototype names as extension names', () => {
  // Extension names are lowercase letters, digits, - and _, starting with a letter or digit: of
  // these only "constructor" is possible, and it works (below).
  it.each(['toString', '__proto__', 'hasOwnProperty', 'valueOf'])('@Extension({ name: %j }) is refused, saying what a name may be', (name) => {
    @Extension({ name })
    class Named {}
    const error = validationError(() => definitionFromClass(Named, '/x/named.ts', '/x'));
    expect(error.issues).toEqual([{ field: 'name', message: 'must be lowercase letters, digits, - and _ (no spaces or capitals), starting with a letter or digit' }]);
  });

  it.each(['toString', '__proto__', 'hasOwnProperty', 'valueOf'])('name: %s in extension.yaml is refused the same way', async (name) => {
    const dir = mkdtempSync(join(tmpdir(), 'proto-name-'));
    try {
      writeFileSync(join(dir, 'extension.yaml'), `name: ${name}\nservice:\n  class_path: service.Service\n`);
      writeFileSync(join(dir, 'service.mjs'), 'export class Service {}\n');
      const error = (await loadManifest(join(dir, 'extension.yaml'), true).catch((e: unknown) => e)) as ExtensionValidationError;
      expect(error).toBeInstanceOf(ExtensionValidationError);
      expect(error.issues).toEqual([{ field: 'name', message: expect.stringContaining('starting with a letter or digit') }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an extension named "constructor", models named like prototype properties', () => {
  it('boots, routes, reports and answers health in a real app, with an empty extensionConfigs', async () => {
    booted = await bootApp({ searchPaths: [appFixture('prototype-names')], extensionConfigs: {}, extensionOptions: {} });
    const { manager, router } = booted;
    expect(manager.getState('constructor')).toBe('started');
    // extensionConfigs has no own "constructor": defaults apply (not Object's own name and length).
    expect(manager.getInstance<{ config: unknown }>('constructor')!.config).toEqual({ name: 'from-default', length: 7 });
    expect(router.route('ctor-model').extension).toBe('constructor');
    expect(router.route('__proto__').extension).toBe('constructor');
    expect(router.route('toString').extension).toBe('constructor');
    expect(Object.keys(router.getAvailableModels()).sort()).toEqual(['__proto__', 'ctor-model', 'toString']);
    expect(Object.getPrototypeOf(router.getAvailableModels())).toBe(Object.prototype);
    expect(manager.getSummary().extensions.constructor).toMatchObject({ state: 'started', style: 'decorator' });
    expect(validateAllDependencies(manager).constructor).toEqual({ valid: true, missing: [], mismatched: [] });
    expect(await createExtensionSummaryReport(manager)).toContain('constructor');

    const http = () => request(booted!.app.getHttpServer());
    const health = await http().get('/health').expect(200);
    expect(health.body.details.constructor).toMatchObject({ status: 'up', name: 'from-default' });
    const models = await http().get('/models').expect(200);
    expect(Object.keys(models.body).sort()).toEqual(['__proto__', 'ctor-model', 'toString']);
    const report = await http().get('/extensions/constructor').expect(200);
    expect(report.body).toMatchObject({ name: 'constructor', config: { name: 'from-default', length: 7 } });
  });

  it('takes its own explicit config from extensionConfigs.constructor', async () => {
    booted = await bootApp({ searchPaths: [appFixture('prototype-names')], extensionConfigs: { constructor: { name: 'explicit' } } });
    expect(booted.manager.getInstance<{ config: unknown }>('constructor')!.config).toEqual({ name: 'explicit', length: 7 });
  });

  it('works as a YAML extension too', async () => {
    booted = await bootApp({ searchPaths: [appFixture('prototype-names-yaml')], extensionConfigs: { other: {} } });
    expect(booted.manager.getInstance<{ config: unknown }>('constructor')!.config).toEqual({ name: 'from-yaml-default' });
    expect(booted.router.route('yaml-ctor-model').extension).toBe('constructor');
    expect(booted.logs.text).toContain('extensionConfigs names "other", which was not discovered');
  });

  it('an extensionConfigs key "constructor" with no such extension is only a warning', async () => {
    booted = await bootApp({ searchPaths: [join(appFixture('routing'))], extensions: ['twin'], extensionConfigs: { constructor: { x: 1 } } });
    expect(booted.manager.getState('twin')).toBe('started');
    expect(booted.logs.text).toContain('extensionConfigs names "constructor", which was not discovered');
  });
});
