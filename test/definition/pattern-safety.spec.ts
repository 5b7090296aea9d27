import { describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import { definitionFromClass } from '../../src/definition/decorator-definition.js';
import { loadManifest } from '../../src/definition/manifest/manifest.loader.js';
import { ConfigField, Extension, ExtensionConfigError, ExtensionValidationError, resolveConfig } from '../../src/index.js';

/*
 * A config pattern runs on every value the field gets. One that can backtrack catastrophically is
 * refused when the manifest or the decorators are read, and a value is tested against a pattern only
 * up to a documented length.
 */

const CATASTROPHIC = 'can backtrack catastrophically';

function refusal(fn: () => unknown): ExtensionValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ExtensionValidationError);
    return error as ExtensionValidationError;
  }
  throw new Error('expected an ExtensionValidationError');
}

function withPattern(pattern: string) {
  @Extension({ name: 'patterned' })
  @ConfigField('key', { pattern })
  class Patterned {}
  return () => definitionFromClass(Patterned, '/x/patterned.ts', '/x');
}

describe('config patterns that backtrack catastrophically', () => {
  it('are refused in extension.yaml, each on config.<field>.pattern', async () => {
    const file = resolve('test/fixtures/manifests/redos-patterns/extension.yaml');
    const error = (await loadManifest(file, true).catch((e: unknown) => e)) as ExtensionValidationError;
    expect(error).toBeInstanceOf(ExtensionValidationError);
    expect(error.issues.map((i) => i.field).sort()).toEqual(['config.nested.pattern', 'config.overlapping.pattern', 'config.repeated.pattern']);
    for (const issue of error.issues) expect(issue.message).toContain(CATASTROPHIC);
    expect(error.message).toContain(`Invalid extension "redos-patterns" in ${file}`);
    expect(error.message).toContain('Rewrite it so that each character can match only one way');
  });

  it.each(['^(a+)+$', '(a|a)*b', '(.*a){20}', '^(\\w+\\s?)*$', '^(a|b|ab)*c$', '^(?:a|aa)+$'])('@ConfigField pattern %s is refused', (pattern) => {
    const error = refusal(withPattern(pattern));
    expect(error.issues).toEqual([{ field: "@ConfigField('key').pattern", message: expect.stringContaining(CATASTROPHIC) }]);
  });

  it.each([
    '^[a-z]+$',
    '^sk-[A-Za-z0-9_-]{20,}$',
    '^\\d+(\\.\\d+)*$',
    '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
    '^https?://[\\w.-]+(:\\d+)?(/.*)?$',
    '^(debug|info|warn|error)$',
    '^(?<major>\\d+)\\.(?<minor>\\d+)$',
    'gpt-4',
  ])('a usual pattern %s is accepted', (pattern) => {
    expect(withPattern(pattern)().configFields[0].pattern).toBe(pattern);
  });

  it('refuses a pattern too long to check, naming the limit', () => {
    const error = refusal(withPattern(`^${'[a-z]'.repeat(120)}$`));
    expect(error.issues).toEqual([{ field: "@ConfigField('key').pattern", message: expect.stringContaining('the limit is 500') }]);
  });
});

describe('what a pattern is tested against', () => {
  @Extension({ name: 'keyed' })
  @ConfigField('apiKey', { pattern: '^sk-[a-z]+$', envVar: 'KEYED_API_KEY' })
  class Keyed {}
  const definition = definitionFromClass(Keyed, '/x/keyed.ts', '/x');

  it('a value longer than 10,000 characters is an issue, and the pattern does not run on it', () => {
    const value = `sk-${'a'.repeat(10_000)}`;
    let error: unknown;
    try {
      resolveConfig(definition, {}, () => value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExtensionConfigError);
    expect((error as ExtensionConfigError).issues).toEqual([
      { field: 'apiKey', message: 'is 10003 characters long; a value with a pattern may be at most 10000' },
    ]);
    expect((error as Error).message).not.toContain('aaaa');
  });

  it('a value up to the limit is tested as before', () => {
    expect(resolveConfig(definition, { apiKey: `sk-${'a'.repeat(9_997)}` }).apiKey).toHaveLength(10_000);
    expect(() => resolveConfig(definition, { apiKey: 'pk-abc' })).toThrow('must match the pattern /^sk-[a-z]+$/');
  });
});
