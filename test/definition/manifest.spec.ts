import { describe, expect, it } from '@jest/globals';
import { join, resolve } from 'node:path';
import { loadManifest } from '../../src/definition/manifest/manifest.loader.js';
import { ExtensionValidationError, type ExtensionIssue } from '../../src/index.js';

const fixtures = resolve('test/fixtures/manifests');
const file = (name: string) => join(fixtures, name, 'extension.yaml');

async function problemsOf(name: string, load = false): Promise<ExtensionValidationError> {
  try {
    const definition = await loadManifest(file(name), true);
    if (load) await definition.loadClass();
  } catch (error) {
    expect(error).toBeInstanceOf(ExtensionValidationError);
    const e = error as ExtensionValidationError;
    expect(e.code).toBe('EXT_ERR_VALIDATION');
    expect(e.file).toBe(file(name));
    expect(e.message).toContain(file(name));
    return e;
  }
  throw new Error(`expected ${name} to be rejected`);
}

const has = (issues: ExtensionIssue[], field: string, text: string) =>
  expect(issues).toContainEqual({ field, message: expect.stringContaining(text) });

describe('extension.yaml validation', () => {
  it.each([
    ['missing-name', 'name', 'is required'],
    ['bad-name', 'name', 'lowercase letters, digits, - and _ (no spaces or capitals)'],
    ['bad-version', 'version', '"one.two" is not a semver version'],
    ['models-not-list', 'models', 'must be a list of models'],
    ['model-without-name', 'models[0].name', 'every model needs a name'],
    ['max-tokens-negative', 'models[0].max_tokens', 'must be a positive integer'],
    ['max-tokens-string', 'models[0].max_tokens', 'must be a positive integer'],
    ['unknown-type', 'config.ratio.type', 'must be one of string, integer, number, boolean, list, object'],
    ['default-wrong-type', 'config.timeout.default', 'must be of type integer'],
    ['min-greater-than-max', 'config.timeout.min', '(300) is greater than max (10)'],
    ['missing-service', 'service', 'is required: add service.class_path'],
    ['class-path-file-missing', 'service.class_path', 'module "nowhere" not found'],
    ['outside-relative', 'service.class_path', 'points outside the extension folder'],
    ['outside-absolute', 'service.class_path', 'points outside the extension folder'],
    ['unknown-keys', 'model', 'is not a known key. Did you mean "models"?'],
    ['unknown-keys', 'config.timeout.defualt', 'Did you mean "default"?'],
    ['service-null', 'service', 'is required: add service.class_path'],
    ['nested-unknown-keys', 'dependencies.pakages', 'is not a known key. Did you mean "packages"?'],
    ['nested-unknown-keys', 'service.clas', 'is not a known key.'],
  ])('%s: %s %s', async (name, field, text) => {
    has((await problemsOf(name)).issues, field, text);
  });

  it.each([
    ['malformed', 'YAML syntax'],
    ['empty', 'is empty'],
    ['a-list', 'must be a mapping of keys (name, models, ...), got a list'],
    ['a-scalar', 'must be a mapping of keys (name, models, ...), got a string'],
  ])('%s files are refused with a clear message', async (name, text) => {
    const error = await problemsOf(name);
    expect(error.issues.map((i) => i.message).join(' ')).toContain(text);
  });

  it.each([
    ['bad-indent', 'line 4, column 1', 'YAML syntax: All mapping items must start at the same column'],
    ['malformed', 'line 2, column 1', 'YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  ])('%s: a YAML syntax error names its %s', async (name, field, message) => {
    const error = await problemsOf(name);
    expect(error.issues).toEqual([{ field, message }]);
    expect(error.message).toContain(`${field}: ${message}`);
  });

  it('refuses __proto__ and constructor keys anywhere', async () => {
    const { issues } = await problemsOf('proto-keys');
    has(issues, '__proto__', 'reserved key');
    has(issues, 'constructor', 'reserved key');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('fails fast on an alias bomb instead of expanding it', async () => {
    const began = performance.now();
    const { issues } = await problemsOf('alias-bomb');
    expect(performance.now() - began).toBeLessThan(1000);
    expect(issues[0].message).toMatch(/alias/i);
  });

  it('collects every problem of one manifest at once', async () => {
    const error = await problemsOf('many-problems');
    expect(error.issues.map((i) => i.field).sort()).toEqual(
      ['config.mode.type', 'config.timeout.min', 'dependencies.packages[0]', 'models', 'name', 'service', 'version'].sort(),
    );
    expect(error.message).toContain('(7 problems)');
  });

  it.each([
    ['class-not-exported', 'does not export "Missing" (it exports Service, notAClass, plainFunction)'],
    ['not-a-class', '"notAClass" in'],
    ['plain-function', 'is a function, not a class'],
  ])('%s is reported when the service is loaded', async (name, text) => {
    has((await problemsOf(name, true)).issues, 'service.class_path', text);
  });
});
