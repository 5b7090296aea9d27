import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionFromClass } from '../../src/definition/decorator-definition.js';
import { loadManifest } from '../../src/definition/manifest/manifest.loader.js';
import { ConfigField, discover, Extension, ExtensionValidationError, MANIFEST_LIMITS } from '../../src/index.js';

/*
 * Manifests are files users edit by hand and copy from elsewhere: each documented size limit is
 * checked before the expensive work (reading a huge file, YAML's key checks, validation of every
 * model) and refused with an ExtensionValidationError naming the file and the limit. The big
 * manifests are made here, at run time.
 */

const work = mkdtempSync(join(tmpdir(), 'manifest-limits-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SERVICE = 'service:\n  class_path: service.Service\n';
let count = 0;

/** A folder with an extension.yaml of the given text and a service module; returns the manifest path. */
function manifest(text: string): string {
  const dir = join(work, `ext-${count++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'service.mjs'), 'export class Service {}\n');
  writeFileSync(join(dir, 'extension.yaml'), text);
  return join(dir, 'extension.yaml');
}

async function refusal(file: string): Promise<ExtensionValidationError> {
  const error = await loadManifest(file, true).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExtensionValidationError);
  const refused = error as ExtensionValidationError;
  expect(refused.file).toBe(file);
  expect(refused.message).toContain(file);
  return refused;
}

describe('manifest size limits', () => {
  it('documents its limits', () => {
    expect(MANIFEST_LIMITS).toEqual({
      fileBytes: 262_144,
      nodes: 50_000,
      depth: 64,
      aliases: 100,
      stringLength: 10_000,
      models: 10_000,
      configFields: 1_000,
    });
  });

  it('refuses a file over 256 KiB before reading it', async () => {
    const file = manifest(`name: padded\n${SERVICE}${'# padding, padding, padding, padding, padding, padding\n'.repeat(6000)}`);
    const { issues } = await refusal(file);
    expect(issues).toEqual([{ field: '(file)', message: expect.stringMatching(/^is \d+ bytes; a manifest may be at most 262144 bytes \(256 KiB\)/) }]);
  });

  it('refuses a 50 MB file without reading it', async () => {
    const file = manifest('');
    // A sparse file: its size is known at once; reading it would cost 50 MB.
    truncateSync(file, 50 * 1024 * 1024);
    const { issues } = await refusal(file);
    expect(issues).toEqual([{ field: '(file)', message: expect.stringContaining('is 52428800 bytes; a manifest may be at most 262144 bytes') }]);
  });

  it('refuses more than 50,000 YAML nodes', async () => {
    const file = manifest(`name: many-nodes\ncapabilities: [${Array.from({ length: 60_000 }, () => 'a').join(',')}]\n${SERVICE}`);
    const { issues } = await refusal(file);
    expect(issues).toEqual([{ field: '(file)', message: expect.stringContaining('has more than 50000 YAML nodes') }]);
  });

  it('refuses nesting deeper than 64 levels', async () => {
    const deep = `${'['.repeat(70)}1${']'.repeat(70)}`;
    const file = manifest(`name: deep\nconfig:\n  nested:\n    type: list\n    default: ${deep}\n${SERVICE}`);
    const { issues } = await refusal(file);
    expect(issues).toEqual([{ field: expect.stringMatching(/^config\.nested\.default(\[0\])+$/), message: 'nests deeper than 64 levels, the limit' }]);
  });

  it('refuses nesting so deep that the YAML parser gives up, with the same limit', async () => {
    const file = manifest(`name: deeper\ndescription: ${'['.repeat(5000)}${']'.repeat(5000)}\n${SERVICE}`);
    const { issues } = await refusal(file);
    expect(issues).toContainEqual({ field: expect.stringMatching(/^line 2, column \d+$/), message: 'nests deeper than 64 levels, the limit' });
  });

  it('refuses a string longer than 10,000 characters, naming where', async () => {
    const file = manifest(`name: long\ndescription: ${'x'.repeat(10_001)}\n${SERVICE}`);
    const { issues } = await refusal(file);
    expect(issues).toEqual([{ field: 'description', message: 'is a string of 10001 characters; the limit is 10000' }]);
  });

  it('refuses more than 100 aliases, naming the limit', async () => {
    const aliases = Array.from({ length: 101 }, () => '*cap').join(', ');
    const file = manifest(`name: aliased\ncapabilities: [&cap text, ${aliases}]\n${SERVICE}`);
    const { issues } = await refusal(file);
    expect(issues).toEqual([{ field: '(file)', message: expect.stringContaining('has more than 100 aliases (*name), the limit') }]);
  });

  it('refuses more than 10,000 models', async () => {
    const models = Array.from({ length: 10_001 }, (_, i) => `{name: m${i}}`).join(', ');
    const file = manifest(`name: many-models\nmodels: [${models}]\n${SERVICE}`);
    const { issues } = await refusal(file);
    expect(issues).toEqual([{ field: 'models', message: expect.stringContaining('has 10001 models; the limit is 10000') }]);
  });

  it('refuses more than 1,000 config fields, in YAML and in decorators', async () => {
    const fields = Array.from({ length: 1001 }, (_, i) => `f${i}: {}`).join(', ');
    const { issues } = await refusal(manifest(`name: many-fields\nconfig: {${fields}}\n${SERVICE}`));
    expect(issues).toEqual([{ field: 'config', message: 'has 1001 fields; the limit is 1000' }]);

    @Extension({ name: 'many-decorated' })
    class ManyDecorated {}
    for (let i = 0; i < 1001; i++) ConfigField(`f${i}`)(ManyDecorated);
    expect(() => definitionFromClass(ManyDecorated, '/x/many.ts', '/x')).toThrow(
      expect.objectContaining({ issues: [{ field: 'config', message: 'has 1001 fields; the limit is 1000' }] }),
    );
  });

  it('refuses a decorator default nested deeper than 64 levels, or one that contains itself', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    @Extension({ name: 'cyclic' })
    @ConfigField('tree', { type: 'object', default: cyclic })
    class Cyclic {}
    expect(() => definitionFromClass(Cyclic, '/x/cyclic.ts', '/x')).toThrow(
      expect.objectContaining({ issues: [{ field: expect.stringMatching(/^@ConfigField\('tree'\)\.default(\.self)+$/), message: 'nests deeper than 64 levels, the limit' }] }),
    );
  });

  it('still reports duplicate keys as YAML errors, with their line', async () => {
    const { issues } = await refusal(manifest(`name: dup\nname: again\n${SERVICE}`));
    expect(issues).toEqual([{ field: 'line 2, column 1', message: 'YAML syntax: Map keys must be unique' }]);
  });

  it('are checked during discovery: a refused manifest is that extension\'s problem', async () => {
    const root = join(work, 'search');
    mkdirSync(join(root, 'big'), { recursive: true });
    writeFileSync(join(root, 'big', 'extension.yaml'), `name: big\ndescription: ${'x'.repeat(300 * 1024)}\n${SERVICE}`);
    const result = await discover([root]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toBeInstanceOf(ExtensionValidationError);
    expect(result.problems[0].message).toContain(join(root, 'big', 'extension.yaml'));
    expect(result.problems[0].message).toContain('a manifest may be at most 262144 bytes (256 KiB)');
  });
});
