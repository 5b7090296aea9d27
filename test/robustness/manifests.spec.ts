import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { definitionFromClass } from '../../src/definition/decorator-definition.js';
import { CONFIG_FIELD_TYPES, ConfigField, discover, Extension, ExtensionError, ExtensionValidationError, Model } from '../../src/index.js';

/*
 * Manifests are edited by hand and copied from elsewhere: whatever an extension.yaml holds, discovery
 * records that extension's problem (an ExtensionError) or its definition. It never throws, never takes
 * more than 2 s on one manifest, and never changes Object.prototype. Decorator options likewise give a
 * definition or an ExtensionValidationError. Runs are few enough to keep `npm test` quick.
 */

const LIMIT_MS = 2000;
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
const work = mkdtempSync(join(tmpdir(), 'fuzz-manifests-'));
const folder = join(work, 'fuzzed');
mkdirSync(folder);
writeFileSync(join(folder, 'service.mjs'), 'export class Service {}\n');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const slowest = { ms: 0, text: '' };

/** Writes the text as the one manifest of the search path and discovers it. */
async function discoverText(text: string): Promise<void> {
  writeFileSync(join(folder, 'extension.yaml'), text);
  const began = performance.now();
  const result = await discover([work]);
  const took = performance.now() - began;
  if (took > slowest.ms) Object.assign(slowest, { ms: took, text: text.slice(0, 300) });
  expect(result.definitions.length + result.problems.length).toBe(1);
  for (const problem of result.problems) expect(problem).toBeInstanceOf(ExtensionError);
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** Writes a value as YAML (or JSON, which is YAML too) when it can be written at all. */
function asYaml(value: unknown, json: boolean): string | undefined {
  try {
    return json ? JSON.stringify(value) : YAML.stringify(value);
  } catch {
    return undefined;
  }
}

const TOKENS = [
  'name: ', 'fuzzed', 'Fuzzed Name', '\n', '  ', '    ', '- ', ': ', ':', '&a ', '*a', '*b', '[', ']', '{', '}', ', ', '"', "'", '# ', '|', '>', '!!str ',
  '!!binary ', '!!map ', '? ', '<<: *a', '---\n', '...\n', '%YAML 1.2\n', '__proto__', 'constructor', 'prototype', 'toString', 'config', 'models',
  'service', 'class_path', 'service.Service', '../outside.Service', 'type', 'string', 'integer', 'list', 'object', 'pattern', '^(a+)+$', '(a|a)*b',
  'default', 'min', 'max', 'enum', 'env_var', 'required', 'true', 'null', '~', '1e999', '-0', '0x1F', '.inf', 'version', '1.0.0', 'dependencies',
  'packages', 'extensions', 'capabilities', 'aliases', 'priority', 'max_tokens', '\t', '\r\n', '\u0000', '\uFEFF', 'é', '😀',
];

const yamlSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((parts) => parts.join(''));

const anyOr = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: fc.anything() });

const configField = fc.record(
  {
    type: anyOr(fc.constantFrom(...CONFIG_FIELD_TYPES)),
    required: anyOr(fc.boolean()),
    default: fc.anything(),
    env_var: anyOr(fc.constantFrom('FUZZ_ENV', 'lower', '1BAD')),
    description: anyOr(fc.string()),
    min: anyOr(fc.oneof(fc.integer({ min: -10, max: 10 }), fc.double())),
    max: anyOr(fc.oneof(fc.integer({ min: -10, max: 10 }), fc.double())),
    enum: anyOr(fc.array(fc.jsonValue(), { maxLength: 4 })),
    pattern: anyOr(fc.oneof(fc.constantFrom('^[a-z]+$', '^(a+)+$', '(a|a)*b', '[', '(?<n>a)\\k<n>'), fc.string({ maxLength: 20 }))),
    secret: anyOr(fc.boolean()),
  },
  { requiredKeys: [] },
);

const manifestShape = fc.record(
  {
    name: anyOr(fc.oneof(fc.constant('fuzzed'), fc.constantFrom('constructor', '__proto__', 'toString'), fc.string({ maxLength: 20 }))),
    version: anyOr(fc.oneof(fc.constant('1.0.0'), fc.string({ maxLength: 10 }))),
    description: anyOr(fc.string()),
    models: anyOr(
      fc.array(
        fc.record(
          {
            name: anyOr(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'gpt-4*'))),
            capabilities: anyOr(fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 })),
            max_tokens: anyOr(fc.integer()),
            cost_per_token: anyOr(fc.double()),
            aliases: anyOr(fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 })),
            priority: anyOr(fc.integer()),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
    ),
    capabilities: anyOr(fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 })),
    dependencies: anyOr(
      fc.record({ packages: anyOr(fc.array(fc.string({ maxLength: 16 }), { maxLength: 3 })), extensions: anyOr(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })) }, { requiredKeys: [] }),
    ),
    config: anyOr(fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('constructor', 'toString', '__proto__', 'valueOf')), configField, { maxKeys: 4 })),
    service: anyOr(fc.oneof(fc.constant({ class_path: 'service.Service' }), fc.record({ class_path: anyOr(fc.string({ maxLength: 20 })) }))),
  },
  { requiredKeys: [] },
);

describe('discovery of arbitrary extension.yaml files (fast-check)', () => {
  it('records a definition or an ExtensionError for arbitrary text, YAML-like token soup and manifest-shaped values', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 300 }), discoverText), { numRuns: 50 });
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), discoverText), { numRuns: 30 });
    await fc.assert(fc.asyncProperty(yamlSoup, discoverText), { numRuns: 120 });
    await fc.assert(
      fc.asyncProperty(manifestShape, fc.boolean(), async (value, json) => {
        const text = asYaml(value, json);
        if (text !== undefined) await discoverText(text);
      }),
      { numRuns: 120 },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), fc.object(), fc.jsonValue()), fc.boolean(), async (value, json) => {
        const text = asYaml(value, json);
        if (text !== undefined) await discoverText(text);
      }),
      { numRuns: 80 },
    );
    // One manifest at a time, each within the limit (a timing bound over the whole run, not per call).
    expect({ slowestMs: slowest.ms < LIMIT_MS ? 'under 2 s' : slowest.ms, text: slowest.ms < LIMIT_MS ? '' : slowest.text }).toEqual({ slowestMs: 'under 2 s', text: '' });
  }, 60_000);
});

describe('arbitrary decorator options (fast-check)', () => {
  it('give a definition or an ExtensionValidationError, and leave Object.prototype alone', () => {
    fc.assert(
      fc.property(
        anyOr(fc.record({ name: anyOr(fc.constant('fuzzed')), version: anyOr(fc.string()), dependsOn: anyOr(fc.array(fc.string())) }, { requiredKeys: [] })),
        fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('constructor', 'toString', '__proto__')), anyOr(configField)), { maxLength: 3 }),
        fc.array(fc.tuple(anyOr(fc.string({ maxLength: 10 })), anyOr(fc.object())), { maxLength: 3 }),
        (options, fields, models) => {
          class Fuzzed {}
          Extension(options as never)(Fuzzed);
          for (const [name, field] of fields) ConfigField(name, field as never)(Fuzzed);
          for (const [name, model] of models) Model(name as string, model as never)(Fuzzed);
          try {
            const definition = definitionFromClass(Fuzzed, '/x/fuzzed.ts', '/x');
            expect(typeof definition.name).toBe('string');
          } catch (error) {
            expect(error).toBeInstanceOf(ExtensionValidationError);
          }
          expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
        },
      ),
      { numRuns: 150 },
    );
  });
});
