import { afterAll, describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import YAML from 'yaml';
import { loadManifest } from '../../src/definition/manifest/manifest.loader.js';
import { ExtensionValidationError } from '../../src/index.js';

/*
 * extensions/extension.schema.json is generated from the manifest's DTOs and rules (npm run schema) and
 * shipped as gleitzeit-extensions/extension.schema.json. Here: it is what a fresh generation gives, and
 * a standard validator (ajv) and the loader agree on every manifest in the repository and on generated ones.
 */

const SCHEMA_FILE = resolve('extensions/extension.schema.json');
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
const ajv = new Ajv({ allErrors: true, strictTypes: false });
const validate = ajv.compile(schema);

/** What the loader checks beyond the schema (its $comment lists them): these fixtures break only such rules. */
const LOADER_ONLY: Record<string, string> = {
  'test/fixtures/manifests/redos-patterns': 'catastrophic backtracking',
  'test/fixtures/manifests/min-greater-than-max': 'min > max',
  'test/fixtures/manifests/class-path-file-missing': 'the service module does not exist',
  'test/fixtures/cli/broken/bad-package-spec': 'a package specifier\'s syntax',
};

function manifests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : manifests(path);
    return /^extension\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

/** The loader's verdict: undefined when valid, else its issues. */
async function loaderIssues(file: string): Promise<string[] | undefined> {
  try {
    await loadManifest(file, true);
    return undefined;
  } catch (error) {
    if (!(error instanceof ExtensionValidationError)) throw error;
    return error.issues.map((issue) => `${issue.field}: ${issue.message}`);
  }
}

/** The schema's verdict on a YAML text, as an editor sees it: undefined when valid (a text that is no YAML is invalid). */
function schemaErrors(text: string): string[] | undefined {
  let data: unknown;
  try {
    data = YAML.parse(text, { maxAliasCount: 100 });
  } catch (error) {
    return [`not YAML: ${(error as Error).message}`];
  }
  return validate(data) ? undefined : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('the JSON Schema of extension.yaml', () => {
  it('is what a fresh generation from src/definition/manifest gives (run `npm run schema` after changing the manifest)', () => {
    const fresh = execFileSync(process.execPath, ['test/schema/generate-extension-schema.mjs', '--print'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(JSON.parse(fresh)).toEqual(schema);
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(fresh);
  });

  it('is shipped and exported as gleitzeit-extensions/extension.schema.json', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.exports['./extension.schema.json']).toBe('./extensions/extension.schema.json');
    expect(pkg.files).toContain('extensions/extension.schema.json');
  });

  const files = [...manifests(resolve('extensions')), ...manifests(resolve('test/fixtures'))];

  it.each(files.map((file) => [relative('.', file), file]))('agrees with the loader on %s', async (_name, file) => {
    const [loader, schemaSays] = [await loaderIssues(file), schemaErrors(readFileSync(file, 'utf8'))];
    const only = LOADER_ONLY[relative('.', dirname(file))];
    if (only) {
      // The loader refuses it for a reason a schema cannot express; the schema passes it.
      expect({ loader: loader !== undefined, schema: schemaSays }).toEqual({ loader: true, schema: undefined });
    } else {
      expect({ file, valid: schemaSays === undefined, loader, schema: schemaSays }).toMatchObject({ valid: loader === undefined });
    }
  });

  it('checks the shipped manifests and at least one valid and a dozen invalid fixtures', () => {
    const verdicts = files.map((file) => schemaErrors(readFileSync(file, 'utf8')) === undefined);
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(5);
    expect(verdicts.filter((valid) => !valid).length).toBeGreaterThan(12);
  });
});

describe('the schema and the loader agree on generated manifests (fast-check)', () => {
  const work = mkdtempSync(join(tmpdir(), 'schema-agree-'));
  writeFileSync(join(work, 'service.js'), 'export class Service {}\n');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const anyOf = (...values: unknown[]) => fc.constantFrom(...values);
  /** Usually a good value, sometimes a bad one: so whole manifests come out valid often enough too. */
  const mostly = <T,>(good: fc.Arbitrary<T>, ...bad: unknown[]) => fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: anyOf(...bad) });
  const name = mostly(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,8}$/), 'extensions', 'Bad Name', '', '-x', 42);
  const word = mostly(fc.stringMatching(/^[a-z]{1,6}$/), 7);
  const list = <T>(item: fc.Arbitrary<T>) => mostly(fc.array(item, { maxLength: 3 }), 'text', 1, null);
  /** `key:` with nothing after it is null in YAML; the loader takes it as absent for optional keys. */
  const orNull = <T>(value: fc.Arbitrary<T>) => fc.oneof({ weight: 8, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) });
  const model = fc.record(
    {
      name: mostly(fc.stringMatching(/^[a-z][a-z0-9.*-]{0,8}$/), '', 5),
      capabilities: list(word),
      max_tokens: orNull(mostly(anyOf(1, 4096), 0, -1, 1.5, 'big')),
      cost_per_token: mostly(anyOf(0, 0.00001), -1, 'cheap'),
      aliases: list(word),
      priority: mostly(anyOf(0, -2, 3.5), 'high'),
      context: anyOf('extra keys are kept', 1),
    },
    { requiredKeys: ['name'] },
  );
  const typed = fc.oneof(
    fc.record({ type: anyOf('string', null), default: anyOf('x', null) }, { requiredKeys: [] }),
    fc.record({ type: anyOf('integer'), default: anyOf(3, -1), min: anyOf(-5, 0), max: anyOf(10, 100.5) }, { requiredKeys: ['type'] }),
    fc.record({ type: anyOf('number'), default: anyOf(2.5, 0) }, { requiredKeys: ['type'] }),
    fc.record({ type: anyOf('boolean'), default: anyOf(true, false) }, { requiredKeys: ['type'] }),
    fc.record({ type: anyOf('list'), default: anyOf(['a'], []) }, { requiredKeys: ['type'] }),
    fc.record({ type: anyOf('object'), default: anyOf({ a: 1 }) }, { requiredKeys: ['type'] }),
  );
  const options = fc.record(
    {
      required: orNull(mostly(fc.boolean(), 'yes')),
      env_var: orNull(mostly(anyOf('MY_KEY', '_X1'), '1BAD', 'has space')),
      description: mostly(anyOf('text'), 4),
      enum: mostly(anyOf(['a', 'b']), 'a'),
      pattern: mostly(anyOf('abc', '^[a-z]+$'), 5),
      secret: mostly(fc.boolean(), 'no'),
    },
    { requiredKeys: [] },
  );
  const wrongType = fc.record(
    { type: anyOf('string', 'integer', 'number', 'boolean', 'list', 'object', 'text', 3, null), default: anyOf('x', 3, 2.5, true, ['a'], { a: 1 }), min: anyOf('one'), envVar: anyOf('CAMEL') },
    { requiredKeys: [] },
  );
  const field = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(typed, options).map(([a, b]) => ({ ...a, ...b })) },
    { weight: 1, arbitrary: wrongType },
    { weight: 1, arbitrary: anyOf('string', null) },
  );
  const fieldName = fc.oneof({ weight: 12, arbitrary: fc.stringMatching(/^[A-Za-z_$][\w$-]{0,8}$/) }, { weight: 1, arbitrary: fc.constantFrom('1bad', 'has space', 'toString', 'valueOf') });
  const manifest = fc.record(
    {
      name,
      description: orNull(mostly(anyOf('An extension'), 3)),
      version: mostly(anyOf('1.0.0', '2.3.4-rc.1+build.5', 'v1.2.3'), '1.0', 'x', 1, '01.0.0'),
      author: orNull(mostly(anyOf('Me'), 1)),
      models: orNull(mostly(fc.uniqueArray(model, { maxLength: 3, selector: (m) => m.name }), 'gpt', 3)),
      capabilities: list(word),
      dependencies: orNull(mostly(
        fc.record({ packages: orNull(list(anyOf('openai@^4', 'left-pad', '@scope/pkg@~2', 'pkg>=1,<2'))), extensions: list(name) }, { requiredKeys: [] }),
        'openai',
        ['openai'],
        { pakages: ['x'] },
      )),
      config: orNull(mostly(fc.dictionary(fieldName, field, { maxKeys: 3 }), 'api_key', [])),
      service: mostly(
        anyOf({ class_path: 'service.Service' }, { class_path: 'service.Other' }),
        { class_path: 'Service' },
        { class_path: '../x.Y' },
        { class_path: 'a/b.Y' },
        { class_path: 'service.' },
        { class_path: 5 },
        { class_path: 'service.Service', extra: 1 },
        'service.Service',
        null,
        {},
        { class_path: null },
      ),
      servce: anyOf({ class_path: 'service.Service' }),
    },
    { requiredKeys: ['name', 'service'] },
  );

  it('accepts what the loader accepts and refuses what it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(manifest, async (value) => {
        const text = YAML.stringify(value);
        const file = join(work, 'extension.yaml');
        writeFileSync(file, text);
        const [loader, schemaSays] = [await loaderIssues(file), schemaErrors(text)];
        expect({ text, loaderValid: loader === undefined, loader, schema: schemaSays }).toMatchObject({ loaderValid: schemaSays === undefined });
      }),
      { numRuns: Number(process.env.SCHEMA_RUNS ?? 300) },
    );
  });

  it('generates both valid and invalid manifests', () => {
    const samples = fc.sample(manifest, { numRuns: 300, seed: 13 }).map((value) => schemaErrors(YAML.stringify(value)) === undefined);
    expect(samples.filter(Boolean).length).toBeGreaterThan(3);
    expect(samples.filter((valid) => !valid).length).toBeGreaterThan(100);
  });
});
