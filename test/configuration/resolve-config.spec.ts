import { describe, expect, it } from '@jest/globals';
import { coerceString } from '../../src/configuration/coerce.js';
import { definitionFromClass } from '../../src/definition/decorator-definition.js';
import { ConfigField, Extension, ExtensionConfigError, resolveConfig } from '../../src/index.js';

@Extension({ name: 'typed' })
@ConfigField('apiKey', { required: true, envVar: 'TYPED_API_KEY' })
@ConfigField('name', { min: 2, max: 5, pattern: '^[a-z]+$' })
@ConfigField('retries', { type: 'integer', default: 3, min: 0, max: 10, envVar: 'TYPED_RETRIES' })
@ConfigField('temperature', { type: 'number', default: 0.5, envVar: 'TYPED_TEMPERATURE' })
@ConfigField('verbose', { type: 'boolean', default: false, envVar: 'TYPED_VERBOSE' })
@ConfigField('tags', { type: 'list', envVar: 'TYPED_TAGS', max: 3 })
@ConfigField('headers', { type: 'object', envVar: 'TYPED_HEADERS' })
@ConfigField('mode', { enum: ['fast', 'slow'], default: 'fast' })
class Typed {}

const definition = definitionFromClass(Typed, '/x/typed.ts', '/x');
const env = (vars: Record<string, string>) => (name: string) => vars[name];

function issuesOf(explicit: Record<string, unknown>, vars: Record<string, string> = {}) {
  try {
    resolveConfig(definition, explicit, env(vars));
  } catch (error) {
    expect(error).toBeInstanceOf(ExtensionConfigError);
    expect((error as ExtensionConfigError).code).toBe('EXT_ERR_CONFIG');
    expect((error as ExtensionConfigError).extensionName).toBe('typed');
    return (error as ExtensionConfigError).issues;
  }
  throw new Error('expected a config error');
}

describe('coercion of strings', () => {
  it.each([
    ['integer', '42', 42],
    ['integer', ' -7 ', -7],
    ['number', '0.25', 0.25],
    ['boolean', 'TRUE', true],
    ['boolean', 'yes', true],
    ['boolean', 'On', true],
    ['boolean', '1', true],
    ['boolean', 'false', false],
    ['boolean', 'No', false],
    ['boolean', 'off', false],
    ['boolean', '0', false],
    ['list', 'a, b ,c', ['a', 'b', 'c']],
    ['list', '["x", 2]', ['x', 2]],
    ['list', '', []],
    ['object', '{"a": 1}', { a: 1 }],
    ['string', ' kept as is ', ' kept as is '],
  ] as const)('%s from %j', (type, text, value) => {
    expect(coerceString(text, type)).toEqual({ value });
  });

  it.each([
    ['integer', '4.2'],
    ['integer', 'abc'],
    ['number', 'abc'],
    ['number', ''],
    ['boolean', 'maybe'],
    ['list', '[not json'],
    ['object', '[1, 2]'],
    ['object', 'plain'],
  ] as const)('%s from %j is an error', (type, text) => {
    expect(coerceString(text, type)).toEqual({ error: expect.stringContaining('must be') });
  });
});

describe('resolveConfig()', () => {
  it('fills defaults and keeps explicit values typed', () => {
    expect(resolveConfig(definition, { apiKey: 'k', tags: ['a'] }, env({}))).toEqual({
      apiKey: 'k',
      retries: 3,
      temperature: 0.5,
      verbose: false,
      tags: ['a'],
      mode: 'fast',
    });
  });

  it('prefers explicit config over the environment over defaults', () => {
    const vars = { TYPED_API_KEY: 'from-env', TYPED_RETRIES: '7', TYPED_VERBOSE: 'on' };
    const config = resolveConfig(definition, { retries: 9 }, env(vars));
    expect(config).toMatchObject({ apiKey: 'from-env', retries: 9, verbose: true, temperature: 0.5 });
  });

  it('treats an empty environment variable as unset', () => {
    expect(resolveConfig(definition, { apiKey: 'k' }, env({ TYPED_RETRIES: '' })).retries).toBe(3);
  });

  it('coerces environment strings by the field type', () => {
    const vars = { TYPED_API_KEY: 'k', TYPED_TEMPERATURE: '0.9', TYPED_TAGS: 'x,y', TYPED_HEADERS: '{"h":"v"}' };
    expect(resolveConfig(definition, {}, env(vars))).toMatchObject({ temperature: 0.9, tags: ['x', 'y'], headers: { h: 'v' } });
  });

  it('says how to fix a missing required field', () => {
    expect(issuesOf({})).toEqual([
      { field: 'apiKey', message: "is required: set the environment variable TYPED_API_KEY, or pass extensionConfigs['typed'].apiKey", unset: 'TYPED_API_KEY' },
    ]);
  });

  it('collects every problem at once', () => {
    const issues = issuesOf(
      { name: 'TOOLONG1', retries: 11, temperature: 'hot', verbose: 'maybe', tags: ['a', 'b', 'c', 'd'], mode: 'medium', timout: 5 },
      { TYPED_HEADERS: 'not json' },
    );
    const byField = Object.fromEntries(issues.map((i) => [i.field, i.message]));
    expect(byField).toEqual({
      timout: expect.stringContaining('is not a config field of this extension.'),
      apiKey: expect.stringContaining('is required'),
      name: expect.any(String),
      retries: 'must be at most 10',
      temperature: 'must be a number (e.g. 0.5) (from explicit config)',
      verbose: 'must be a boolean: true/false, 1/0, yes/no or on/off (from explicit config)',
      tags: 'must have at most 3 items',
      headers: 'must be a JSON object (e.g. {"key": "value"}) (from environment variable TYPED_HEADERS)',
      mode: 'must be one of: "fast", "slow"',
    });
    expect(issues.length).toBe(Object.keys(byField).length + 1);
    expect(issues.filter((i) => i.field === 'name').map((i) => i.message).sort()).toEqual([
      'must be at most 5 characters long',
      'must match the pattern /^[a-z]+$/',
    ]);
  });

  it('suggests the field meant by an unknown explicit key', () => {
    const [issue] = issuesOf({ apiKey: 'k', retires: 2 });
    expect(issue).toEqual({
      field: 'retires',
      message: expect.stringContaining('is not a config field of this extension. Did you mean "retries"?'),
    });
  });

  it('rejects an integer given as 4.2 in the environment', () => {
    expect(issuesOf({ apiKey: 'k' }, { TYPED_RETRIES: '4.2' })).toEqual([
      { field: 'retries', message: 'must be an integer (e.g. 42) (from environment variable TYPED_RETRIES)' },
    ]);
  });
});
