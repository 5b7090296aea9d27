import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { CONFIG_FIELD_KEYS, ConfigFieldDto, ManifestDto } from '../../src/definition/manifest/manifest.dto.js';
import { quickConfigField, quickManifest } from '../../src/definition/manifest/manifest-quick.js';

/*
 * The quick check of common manifests must pass only what ManifestDto and ConfigFieldDto pass, and the
 * manifest it passes is used as it is: class-validator must find nothing wrong with it, and its DTO
 * instance must hold the same data. Generated manifests, mostly valid, often slightly off.
 */

const mostly = <T,>(good: fc.Arbitrary<T>, ...bad: unknown[]) => fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
const text = mostly(fc.string({ maxLength: 8 }), null, 3, ['x'], {});
const strings = mostly(fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }), 'text', [1], null, {});
// Values at the bounds (0, 1, negatives) as often as anywhere else.
const number = mostly(fc.oneof(fc.constantFrom(-1, -0.5, 0, 0.5, 1), fc.double({ min: -10, max: 10_000, noNaN: true })), Infinity, -Infinity, Number.NaN, '5', null);
const integer = mostly(fc.oneof(fc.integer({ min: -2, max: 3 }), fc.integer({ min: 1, max: 100_000 })), 1.5, Infinity, Number.NaN, '7', null);

const model = mostly(
  fc.record(
    { name: mostly(fc.stringMatching(/^[a-z][a-z0-9.*-]{0,8}$/), '', 5, null), capabilities: strings, max_tokens: integer, cost_per_token: number, aliases: strings, priority: number, extra: fc.jsonValue() },
    { requiredKeys: ['name'] },
  ),
  'gpt',
  null,
  [],
  7,
);

const configField = fc.record(
  {
    type: mostly(fc.constantFrom('string', 'integer', 'number', 'boolean', 'list', 'object'), 'int', null, 3),
    required: mostly(fc.boolean(), 'yes', null),
    default: fc.jsonValue(),
    env_var: mostly(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,6}$/), '1BAD', 'has space', null, 3),
    description: text,
    min: number,
    max: number,
    enum: mostly(fc.array(fc.jsonValue(), { maxLength: 3 }), 'a', null, {}),
    pattern: text,
    secret: mostly(fc.boolean(), 'no', null),
    typo: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

const manifest = fc.record(
  {
    name: mostly(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,8}$/), 'Bad Name', '', '-x', 42, null),
    description: text,
    version: mostly(fc.constantFrom('1.0.0', '2.1.3-beta.1'), 'one', 1, null),
    author: text,
    models: mostly(fc.array(model, { maxLength: 3 }), 'models', null, {}),
    capabilities: strings,
    dependencies: mostly(fc.record({ packages: strings, extensions: strings }, { requiredKeys: [] }), [], 'x', null),
    config: mostly(fc.dictionary(fc.stringMatching(/^[a-z][a-z_]{0,5}$/), configField, { maxKeys: 3 }), [], 'x', null),
    service: mostly(fc.record({ class_path: mostly(fc.constantFrom('service.Service', 'a.B'), '', 3, null) }), 'service.X', null, []),
  },
  { requiredKeys: ['name'] },
);

/** The data the loader reads of a checked value: a config entry's known keys; of a manifest, all but `config` (whose entries are checked one by one) and keys it does not know. */
const read = (cls: Function, value: object): unknown => {
  const data = JSON.parse(JSON.stringify(value));
  // An unknown key in a config entry is an issue of its own (did-you-mean); its value is never read.
  if (cls !== ManifestDto) return Object.fromEntries(CONFIG_FIELD_KEYS.filter((k) => k in data).map((k) => [k, data[k]]));
  const { name, description, version, author, capabilities, dependencies, service, models } = data;
  const known = ['name', 'capabilities', 'max_tokens', 'cost_per_token', 'aliases', 'priority'];
  const modelData = Array.isArray(models) ? models.map((m: Record<string, unknown>) => Object.fromEntries(known.filter((k) => k in m).map((k) => [k, m[k]]))) : models;
  return { name, description, version, author, capabilities, dependencies, service, models: modelData };
};

/** class-validator's verdict on the DTO (as the loader asks it), and the instance's data. */
function slow<T extends object>(cls: new () => T, raw: object) {
  const value = plainToInstance(cls, raw);
  return { errors: validateSync(value, { forbidUnknownValues: false }).length, data: read(cls, value) };
}

function agree<T extends object>(cls: new () => T, quick: (raw: Record<string, unknown>) => boolean, generated: fc.Arbitrary<Record<string, unknown>>): number {
  let passed = 0;
  fc.assert(
    fc.property(generated, (raw) => {
      if (!quick(raw)) return;
      passed++;
      expect(slow(cls, raw)).toEqual({ errors: 0, data: read(cls, raw) });
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 3000) },
  );
  return passed;
}

describe('the quick check of common manifests', () => {
  it('passes only manifests ManifestDto passes, with the same data (3,000 generated)', () => {
    expect(agree(ManifestDto, quickManifest, manifest)).toBeGreaterThan(100);
  });

  it('passes only config entries ConfigFieldDto passes, with the same data (3,000 generated)', () => {
    expect(agree(ConfigFieldDto, quickConfigField, configField)).toBeGreaterThan(100);
  });

  it('leaves nulls, non-finite numbers and wrong types to the DTOs', () => {
    for (const raw of [{ name: 'x', description: null }, { name: 'x', models: [{ name: 'm', max_tokens: Infinity }] }, { name: 'X' }, { name: 'x', service: { class_path: '' } }]) {
      expect(quickManifest(raw)).toBe(false);
    }
    expect(quickManifest({ name: 'x', version: '1.0.0', models: [{ name: 'm', capabilities: ['text'], max_tokens: 10 }], config: { k: {} }, service: { class_path: 's.S' } })).toBe(true);
  });
});
