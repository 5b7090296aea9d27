#!/usr/bin/env node
/*
 * Writes extensions/extension.schema.json from the manifest's one definition (the DTOs and rules in
 * src/definition/manifest, as built into dist/ by `nest build`), with class-validator-jsonschema.
 *   node test/schema/generate-extension-schema.mjs           write the file
 *   node test/schema/generate-extension-schema.mjs --print   print it instead (the schema test compares the two)
 * `npm run schema` builds first, then writes; `npm pack` does the same (prepack).
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { targetConstructorToSchema } from 'class-validator-jsonschema';

const root = new URL('../../', import.meta.url);
const { manifestJsonSchema, MANIFEST_SCHEMA_FILE } = await import(new URL('dist/src/definition/manifest/manifest.schema.js', root).href);

const toSchema = (dto) => targetConstructorToSchema(dto, { classTransformerMetadataStorage: defaultMetadataStorage, refPointerPrefix: '#/definitions/' });
const text = `${JSON.stringify(manifestJsonSchema(toSchema), null, 2)}\n`;

if (process.argv.includes('--print')) process.stdout.write(text);
else {
  const file = fileURLToPath(new URL(MANIFEST_SCHEMA_FILE, root));
  writeFileSync(file, text);
  console.log(`Wrote ${file}`);
}
