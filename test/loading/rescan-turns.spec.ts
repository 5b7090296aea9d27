import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/*
 * A file loaded with require() is read and run synchronously, and so is each definition's check: a
 * discovery at run time (manager.discoverExtensions()) over many single-file extensions must still give
 * the event loop turns between files, or the app stops answering for the whole scan. The built package
 * discovers 120 generated files in a plain Node process (Jest brings its own require) while a chain of
 * setImmediate callbacks notes each turn. (A guard: measured, the loop never waits more than about 2 ms.)
 */

interface Scan {
  longest: number;
  total: number;
  definitions: number;
  problems: number;
  required: number;
}

describe('a discovery over many single-file extensions', () => {
  it('gives the event loop a turn every few milliseconds, however many files it loads', () => {
    const run = spawnSync(process.execPath, [resolve('test/fixtures/rescan/rescan.mjs')], { env: { ...process.env, NODE_OPTIONS: '', GLEITZEIT_MODULE_LOADING: '', FILES: '120' }, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    const scan = JSON.parse(run.stdout) as Scan;
    // Every file was found, through require() (the synchronous path this is about).
    expect(scan).toMatchObject({ definitions: 120, problems: 0, required: 120 });
    // Held in one piece, the loop would wait most of the scan; between files, a small part of it.
    expect(scan.longest).toBeLessThan(scan.total / 4);
  });
});
