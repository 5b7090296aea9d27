import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { createConfigDto } from '../../src/configuration/config-dto.factory.js';
import { quickConfigValid } from '../../src/configuration/config-quick.js';
import { resolveConfig } from '../../src/configuration/resolve-config.js';
import type { ConfigFieldDefinition, ExtensionDefinition } from '../../src/definition/definition.interface.js';

/*
 * The quick check of resolved config values must pass only what the config DTO (class-validator)
 * passes: generated fields and values, at and around every bound, of every type and of the wrong ones.
 */

const RUNS = Number(process.env.FC_RUNS ?? 3000);

/** Present `weight` times in 10. */
const sometimes = <T,>(arbitrary: fc.Arbitrary<T>, weight: number) => fc.oneof({ weight, arbitrary }, { weight: 10 - weight, arbitrary: fc.constant(undefined) });
const bound = sometimes(fc.oneof(fc.integer({ min: -3, max: 6 }), fc.constantFrom(0.5, -0.5, 2.5, 1e9)), 5);
const someValue = fc.oneof(
  fc.integer({ min: -4, max: 8 }),
  fc.constantFrom(0.5, -0.5, 2.5, 1e9, Number.NaN, Infinity, -Infinity, -0),
  fc.double(),
  fc.string({ maxLength: 6 }),
  fc.constantFrom('', 'a', '\u{1F600}', 'a\uFE0F', 'true', '5'),
  fc.boolean(),
  fc.array(fc.jsonValue(), { maxLength: 7 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue(), { maxKeys: 3 }),
  fc.constantFrom(null, undefined, new Boolean(true), new Date(0), Object.create(null) as object),
);

const field = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  type: fc.constantFrom('string', 'integer', 'number', 'boolean', 'list', 'object' as const),
  required: fc.boolean(),
  secret: fc.boolean(),
  min: bound,
  max: bound,
  enum: sometimes(fc.array(someValue, { minLength: 1, maxLength: 3 }), 2),
  pattern: sometimes(fc.constantFrom('^a', '\\d+'), 1),
});

/** A value of the field's own type, around its bounds: the ones the quick check is for. */
function typed(f: { type: string }): fc.Arbitrary<unknown> {
  switch (f.type) {
    case 'string':
      // Characters class-validator counts differently from .length (surrogate pairs, variation selectors).
      return fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('\u{1F600}', '\u{1F600}\u{1F600}', 'a\uFE0F', '\uFE0E\uFE0E\uFE0E'));
    case 'integer':
      return fc.integer({ min: -4, max: 8 });
    case 'number':
      return fc.oneof(fc.integer({ min: -4, max: 8 }), fc.constantFrom(0.5, -0.5, 2.5, 1e9, Number.NaN, Infinity, -Infinity));
    case 'boolean':
      return fc.boolean();
    case 'list':
      return fc.array(fc.jsonValue(), { maxLength: 7 });
    default:
      return fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue(), { maxKeys: 3 });
  }
}

/** Fields with distinct names, and values for some of them: of their type, from the enum, or anything. */
const caseOf = fc
  .uniqueArray(field, { selector: (f) => f.name, minLength: 1, maxLength: 4 })
  .chain((fields) =>
    fc.tuple(
      fc.constant(fields as ConfigFieldDefinition[]),
      fc.tuple(...fields.map((f) => fc.option(fc.oneof({ weight: 4, arbitrary: f.enum ? fc.constantFrom(...f.enum) : typed(f) }, { weight: 1, arbitrary: someValue }), { nil: undefined, freq: 5 }))),
    ),
  );

let dtoNames = 0;

function dtoErrors(fields: ConfigFieldDefinition[], values: Record<string, unknown>) {
  const dto = new (createConfigDto(`quick${dtoNames++ % 50}`, fields))() as Record<string, unknown>;
  for (const [key, value] of Object.entries(values)) Object.defineProperty(dto, key, { value, enumerable: true, writable: true, configurable: true });
  return validateSync(dto, { forbidUnknownValues: false });
}

describe('quickConfigValid()', () => {
  it('passes only values the config DTO passes', () => {
    let passed = 0;
    fc.assert(
      fc.property(caseOf, ([fields, picked]) => {
        const values: Record<string, unknown> = {};
        fields.forEach((f, i) => {
          if (picked[i] !== undefined && picked[i] !== null) values[f.name] = picked[i];
        });
        if (!quickConfigValid(fields, values)) return;
        passed++;
        expect(dtoErrors(fields, values)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    // The accept path is exercised, not only the refusals.
    expect(passed).toBeGreaterThan(RUNS / 10);
  });

  it('leaves to the DTO what it does not recognize, so its messages are unchanged', () => {
    const definition = {
      name: 'quick',
      configFields: [
        { name: 'port', type: 'integer', required: true, secret: false, min: 1, max: 65535 },
        { name: 'region', type: 'string', required: false, secret: false, max: 2 },
        { name: 'mode', type: 'string', required: false, secret: false, enum: ['a', 'b'] },
      ],
    } as unknown as ExtensionDefinition;
    expect(resolveConfig(definition, { port: 8080, region: 'eu', mode: 'a' })).toEqual({ port: 8080, region: 'eu', mode: 'a' });
    expect(() => resolveConfig(definition, { port: 0, region: 'eur', mode: 'c' })).toThrow(
      /port: must be at least 1[\s\S]*region: must be at most 2 characters long[\s\S]*mode: must be one of: "a", "b"/,
    );
  });
});
