import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/*
 * On Node 20.19+ an extension file is loaded through require() when it can be (one link of the file,
 * not one walk of the whole module graph per import()), and through import() otherwise. The built
 * package discovers test/fixtures/require-esm in a plain Node process (Jest brings its own require),
 * once as is and once with require(esm) turned off: what comes out must be the same.
 */

interface Discovered {
  requireModule: boolean;
  mark: string;
  definitions: string[];
  classes: string[];
  problems: { code: string; message: string }[];
  required: string[];
  runs: Record<string, number>;
}

function discoverIn(nodeArgs: string[], env: Record<string, string> = {}): Discovered {
  const script = resolve('test/fixtures/require-esm/discover.mjs');
  const run = spawnSync(process.execPath, [...nodeArgs, script], { env: { ...process.env, NODE_OPTIONS: '', GLEITZEIT_MODULE_LOADING: '', ...env }, encoding: 'utf8', timeout: 20_000 });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Discovered;
}

describe('loading extension files through require() where Node can', () => {
  const fast = discoverIn([]);
  const slow = discoverIn(['--no-experimental-require-module']);

  it('requires plain ES modules, and imports those with top-level await, CommonJS ones and broken ones', () => {
    expect(fast.requireModule).toBe(true);
    expect(fast.required).toEqual(['extensions/hooked.mjs', 'extensions/plain.mjs', 'extensions/yaml-cjs/service.js', 'extensions/yaml-esm/service.mjs']);
    // Without require(esm) only the CommonJS service is in require's cache (import() of CommonJS puts it there).
    expect(slow.requireModule).toBe(false);
    expect(slow.required).toEqual(['extensions/yaml-cjs/service.js']);
  });

  it('discovers and loads the same extensions, with the same problems in the same words, running each module once', () => {
    expect(fast.definitions).toEqual(['awaits', 'hooked', 'plain', 'yaml-cjs', 'yaml-esm']);
    expect(fast.classes).toEqual(['Awaits', 'CjsService', 'EsmService', 'Hooked', 'Plain']);
    expect(fast.problems).toEqual([
      { code: 'EXT_ERR_LOAD', message: "Could not import extensions/broken.mjs: Unexpected token ';'. Fix the module so it imports on its own (node extensions/broken.mjs)." },
      {
        code: 'EXT_ERR_LOAD',
        message: 'Could not import extensions/cjs-throws/index.js: cjs-throws broke at the top. Fix the module so it imports on its own (node extensions/cjs-throws/index.js).',
      },
      {
        code: 'EXT_ERR_DEPENDENCY',
        message: 'The extension in extensions/needs-package.mjs needs packages that are missing or in the wrong version:\n  - gleitzeit-no-such-package: not installed\nFix: npm install gleitzeit-no-such-package',
      },
      { code: 'EXT_ERR_LOAD', message: 'Could not import extensions/throws.mjs: throws.mjs broke at the top. Fix the module so it imports on its own (node extensions/throws.mjs).' },
    ]);
    // A CommonJS file that threw would run again under import() (Node forgets it): CommonJS never goes through require here.
    expect(fast.runs).toEqual({ awaits: 1, throws: 1, cjs: 1, cjsThrows: 1 });
    expect({ ...fast, required: [], requireModule: false }).toEqual({ ...slow, required: [], requireModule: false });
  });

  it('leaves every file to import() when module hooks may be registered (--import, --loader, --require), so that they apply', () => {
    const hooked = discoverIn(['--import', resolve('test/fixtures/require-esm/register.mjs')]);
    expect(hooked.mark).toBe('hooked');
    expect(hooked.required).toEqual(['extensions/yaml-cjs/service.js']);
    // Without hooks the file is required, and its mark is its own.
    expect(fast.mark).toBe('__HOOKED__');
  });

  it('leaves every file to import() with GLEITZEIT_MODULE_LOADING=import (hooks registered in code, with no flag)', () => {
    const off = discoverIn([], { GLEITZEIT_MODULE_LOADING: 'import' });
    expect(off.required).toEqual(['extensions/yaml-cjs/service.js']);
    expect({ ...off, required: [], requireModule: false }).toEqual({ ...fast, required: [], requireModule: false });
  });
});
