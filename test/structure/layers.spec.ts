import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The README's "Project layout": data flows one way. A folder imports only from folders in a lower
 * layer (or itself); nothing imports upward, so no two folders import each other.
 */
const LAYERS: string[][] = [
  ['utils', 'errors', 'provider'],
  ['loading', 'telemetry'],
  ['definition'],
  ['discovery'],
  ['configuration', 'dependencies'],
  ['routing'],
  ['manager'],
  ['health', 'introspection', 'gateway'],
  ['module'],
  ['helpers'],
  ['app', 'cli'],
  ['(root)'],
];
const layerOf = new Map(LAYERS.flatMap((folders, layer) => folders.map((folder) => [folder, layer] as const)));

const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

const folderOf = (file: string) => {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? '(root)' : parts[0];
};

describe('the structure is one-way, as the README says', () => {
  const sources = files(SRC);

  it('puts every folder of src/ in a layer', () => {
    expect([...new Set(sources.map(folderOf))].filter((folder) => !layerOf.has(folder))).toEqual([]);
  });

  it('has no import from a folder of a higher layer, nor between folders of one layer', () => {
    const violations: string[] = [];
    for (const file of sources) {
      const from = folderOf(file);
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const to = folderOf(resolve(dirname(file), spec));
        if (to === from) continue;
        if (layerOf.get(to)! >= layerOf.get(from)!) violations.push(`${relative(SRC, file)} imports ${spec} (${from} -> ${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps files short enough to read (at most 280 lines)', () => {
    const long = sources.map((file) => [relative(SRC, file), readFileSync(file, 'utf8').split('\n').length] as const).filter(([, lines]) => lines > 280);
    expect(long).toEqual([]);
  });
});
