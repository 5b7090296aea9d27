import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_SCHEMA_FILE } from '../definition/manifest/manifest.schema.js';
import { NAME_PATTERN, RESERVED_NAMES } from '../definition/metadata.constants.js';
import { decoratorModule, manifest, service, spec, type Names } from './templates.js';

export type Style = 'decorator' | 'yaml';
export const STYLES: Style[] = ['decorator', 'yaml'];

/** Why a name cannot be an extension's, or undefined. */
export function nameProblem(name: string): string | undefined {
  if (!NAME_PATTERN.test(name)) return `"${name}" is not an extension name: use lowercase letters, digits, - and _, starting with a letter or digit (e.g. acme-ai)`;
  if (RESERVED_NAMES.includes(name)) return `"${name}" is reserved (it is the readiness key of /health/ready); choose another name`;
  return undefined;
}

function namesOf(name: string): Names {
  const words = name.split(/[-_]+/).filter(Boolean);
  const pascal = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  const env = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return { name, pascal: /^\d/.test(pascal) ? `X${pascal}` : pascal, env: /^\d/.test(env) ? `X${env}` : env, model: `${name}-chat` };
}

/** This package's schema file, as a path from `dir` (the manifest's folder) that editors can open. */
function schemaReference(dir: string): string {
  // The copy Node would resolve from the manifest's folder (node_modules/gleitzeit-extensions), else this one.
  let file = fileURLToPath(new URL(`../../../${MANIFEST_SCHEMA_FILE}`, import.meta.url));
  for (let up = dir; dirname(up) !== up; up = dirname(up)) {
    const installed = join(up, 'node_modules', 'gleitzeit-extensions', MANIFEST_SCHEMA_FILE);
    if (existsSync(installed)) {
      file = installed;
      break;
    }
  }
  const path = relative(dir, file).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

export interface Scaffolded {
  folder: string;
  files: string[];
}

/** Writes a new extension into `<dir>/<name>/`; refuses a name in use there. */
export function scaffold(name: string, style: Style, dir: string): Scaffolded {
  const problem = nameProblem(name);
  if (problem) throw new Error(problem);
  const folder = resolve(dir, name);
  const taken = [folder, ...['.ts', '.js', '.mjs'].map((ext) => `${folder}${ext}`)].find((path) => existsSync(path));
  if (taken) throw new Error(`${relative(process.cwd(), taken)} already exists; nothing was written. Choose another name, or remove it first.`);
  const names = namesOf(name);
  const files: Record<string, string> =
    style === 'decorator'
      ? { 'index.ts': decoratorModule(names), [`${name}.spec.ts`]: spec(names) }
      : { 'extension.yaml': manifest(names, schemaReference(folder)), 'service.ts': service(names), [`${name}.spec.ts`]: spec(names) };
  mkdirSync(folder, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, file)), { recursive: true });
    writeFileSync(join(folder, file), text, { flag: 'wx' });
  }
  return { folder, files: Object.keys(files).map((file) => join(folder, file)) };
}
