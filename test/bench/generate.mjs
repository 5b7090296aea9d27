// Writes N extensions into a temporary folder, as a built app ships them (compiled JS, no TS loader;
// they import the package's main entry, or with `entry: 'extension'` gleitzeit-extensions/extension):
// even indexes as decorator single-file extensions, odd ones as YAML folders (extension.yaml + service.js).
// Beside the search path it writes a package.json ("type": "module") and plain-entry.mjs, which imports the same classes statically: the
// baseline hand-wires those as plain Nest modules.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, EXTENSION_ENTRY } from './common.mjs';

/** The default config each generated extension declares; the baseline passes the same object. */
export const DEFAULT_CONFIG = { timeout: 60, region: 'eu' };

const decoratorFile = (i, from) => `import { ConfigField, Extension, Model } from '${from}';

export class Ext${i} {
  constructor(config) {
    this.config = config;
  }
  healthCheck() {
    return { healthy: true };
  }
}
Model('model-${i}-a', { capabilities: ['text'], maxTokens: 4096, aliases: ['alias-${i}'] })(Ext${i});
Model('model-${i}-b', { capabilities: ['text', 'vision'], maxTokens: 8192 })(Ext${i});
ConfigField('timeout', { type: 'integer', default: 60, min: 1, max: 600 })(Ext${i});
ConfigField('region', { default: 'eu' })(Ext${i});
Extension({ name: 'ext-${i}', version: '1.0.0' })(Ext${i});
`;

const manifest = (i) => `name: ext-${i}
version: 1.0.0
models:
  - name: model-${i}-a
    capabilities: [text]
    max_tokens: 4096
    aliases: [alias-${i}]
  - name: model-${i}-b
    capabilities: [text, vision]
    max_tokens: 8192
config:
  timeout: { type: integer, default: 60, min: 1, max: 600 }
  region: { type: string, default: eu }
service:
  class_path: service.Service${i}
`;

const serviceFile = (i, from) => `import { ConfigBasedExtension } from '${from}';

export class Service${i} extends ConfigBasedExtension {}
`;

/**
 * Generates `n` extensions (importing the package's `main` entry, or its `extension` entry); returns { dir, searchPath, entry, cleanup }. `entry` (plain-entry.mjs)
 * exports `classes`, every extension class in index order.
 */
export function generateExtensions(n, { entry: packageEntry = 'main' } = {}) {
  const from = packageEntry === 'extension' ? EXTENSION_ENTRY : DIST;
  const dir = mkdtempSync(join(tmpdir(), `gleitzeit-bench-${n}-`));
  // As in a Nest 12 app (ESM only), whose package.json says so: the .js files are ES modules.
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const searchPath = join(dir, 'extensions');
  mkdirSync(searchPath);
  const imports = [];
  const names = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      writeFileSync(join(searchPath, `ext-${i}.js`), decoratorFile(i, from));
      imports.push(`import { Ext${i} } from './extensions/ext-${i}.js';`);
      names.push(`Ext${i}`);
    } else {
      const folder = join(searchPath, `ext-${i}`);
      mkdirSync(folder);
      writeFileSync(join(folder, 'extension.yaml'), manifest(i));
      writeFileSync(join(folder, 'service.js'), serviceFile(i, from));
      imports.push(`import { Service${i} } from './extensions/ext-${i}/service.js';`);
      names.push(`Service${i}`);
    }
  }
  const entry = join(dir, 'plain-entry.mjs');
  writeFileSync(entry, `${imports.join('\n')}\n\nexport const classes = [${names.join(', ')}];\n`);
  return { dir, searchPath, entry, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
