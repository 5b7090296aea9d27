import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { definitionFromClass } from '../../src/definition/decorator-definition.js';
import { isOfFieldType } from '../../src/definition/field-types.js';
import {
  CONFIG_FIELD_TYPES,
  ConfigField,
  Extension,
  ExtensionConfigError,
  ExtensionValidationError,
  resolveConfig,
  type ConfigFieldOptions,
  type ConfigFieldType,
  type ExtensionDefinition,
} from '../../src/index.js';

/*
 * Config values come from the environment, .env files and code: whatever string (or value) a field
 * of any type and constraint gets, resolveConfig() gives a value that fits the field or an
 * ExtensionConfigError, never another error, and its messages never hold the value.
 */

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
const MARKER = 'SeCrEt-MaRkEr';

const field = fc.record({
  type: fc.constantFrom(...CONFIG_FIELD_TYPES),
  required: fc.boolean(),
  secret: fc.boolean(),
  min: fc.option(fc.integer({ min: -3, max: 12 }), { nil: undefined }),
  max: fc.option(fc.integer({ min: -3, max: 12 }), { nil: undefined }),
  enum: fc.option(fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -2, max: 2 }), fc.boolean()), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  pattern: fc.option(fc.constantFrom('^[a-z]+$', '^\\d+(\\.\\d+)*$', '^sk-[A-Za-z0-9_-]{2,}$', 'a', '^(?<word>\\w+)$', '^(a+)+$'), { nil: undefined }),
});

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '0', '1', '-1', '4.2', '1e999', '-0', 'NaN', 'Infinity', 'true', 'YES', 'off', '[]', '{}', '[1, "a"]', '{"a": 1}', 'a, b ,c', ' sk-abc ', 'abc', '{"__proto__": {"x": 1}}', '{"constructor": 1}', '[{"prototype": 2}]', 'x'.repeat(10_001)),
);

/** The definition of one field named `value`, or undefined when the options themselves are refused. */
function definitionOf(options: ConfigFieldOptions): ExtensionDefinition | undefined {
  class Fuzzed {}
  Extension({ name: 'fuzzed-config' })(Fuzzed);
  ConfigField('value', { ...options, envVar: 'FUZZED_VALUE' })(Fuzzed);
  try {
    return definitionFromClass(Fuzzed, '/x/fuzzed.ts', '/x');
  } catch (error) {
    expect(error).toBeInstanceOf(ExtensionValidationError);
    return undefined;
  }
}

/** Resolves; on success the value fits the field's type and constraints, on failure it is an ExtensionConfigError. */
function check(definition: ExtensionDefinition, explicit: Record<string, unknown>, env: string | undefined): string | undefined {
  const [options] = definition.configFields;
  let config: Record<string, unknown>;
  try {
    config = resolveConfig(definition, explicit, (name) => (name === 'FUZZED_VALUE' ? env : undefined));
  } catch (error) {
    expect(error).toBeInstanceOf(ExtensionConfigError);
    return (error as ExtensionConfigError).message;
  } finally {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  }
  const value = config.value;
  if (value === undefined) {
    expect(options.required).toBe(false);
    return undefined;
  }
  expect(isOfFieldType(value, options.type as ConfigFieldType)).toBe(true);
  // String lengths count characters (code points), as class-validator's MinLength/MaxLength do: an emoji is one.
  const size = typeof value === 'string' ? [...value].length : Array.isArray(value) ? value.length : typeof value === 'number' ? value : undefined;
  if (size !== undefined && options.type !== 'object' && options.type !== 'boolean') {
    if (options.min !== undefined) expect(size).toBeGreaterThanOrEqual(options.min);
    if (options.max !== undefined) expect(size).toBeLessThanOrEqual(options.max);
  }
  if (options.enum) expect(options.enum).toContain(value);
  if (options.pattern !== undefined && typeof value === 'string' && options.type === 'string') expect(value).toMatch(new RegExp(options.pattern));
  return undefined;
}

describe('resolveConfig() with arbitrary values for every type and constraint (fast-check)', () => {
  it('gives a value that fits, or an ExtensionConfigError, for strings from the environment and from code', () => {
    fc.assert(
      fc.property(field, text, (options, value) => {
        const definition = definitionOf(options);
        if (!definition) return;
        check(definition, {}, value);
        check(definition, { value }, undefined);
      }),
      { numRuns: 300 },
    );
  });

  it('gives a value that fits, or an ExtensionConfigError, for any explicit value', () => {
    fc.assert(
      fc.property(field, fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true }), (options, value) => {
        const definition = definitionOf(options);
        if (definition) check(definition, { value }, undefined);
      }),
      { numRuns: 200 },
    );
  });

  it('never puts the value into its messages', () => {
    fc.assert(
      fc.property(field, fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (options, before, after) => {
        const definition = definitionOf(options);
        if (!definition) return;
        for (const value of [`${before}${MARKER}${after}`, `{"k": "${MARKER}"}`, `[1, "${MARKER}"]`]) {
          expect(check(definition, {}, value) ?? '').not.toContain(MARKER);
          expect(check(definition, { value }, undefined) ?? '').not.toContain(MARKER);
        }
      }),
      { numRuns: 150 },
    );
  });
});
