import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/*
 * What a failed boot prints, in real processes on the built package (npm test builds first): one
 * extension whose required env var is missing, under the `abort` policy. The failure is printed once,
 * without a stack trace: it is a setup problem, and the message names the variable to set.
 */

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((done) => child.on('exit', (code) => (clearTimeout(timer), done({ code, output }))));
}

const count = (text: string, part: string) => text.split(part).length - 1;
const stackFrames = (text: string) => text.split('\n').filter((line) => /^\s+at /.test(line));

describe('a boot that fails for a missing env var', () => {
  it('in an app that does not catch it, Node prints the error once, with no stack trace and no repeated inner errors', async () => {
    const { code, output } = await run(resolve('test/fixtures/quiet-boot/app.mjs'), { NEEDY_API_KEY: '' });
    expect(code).not.toBe(0);
    expect(count(output, 'Invalid configuration for extension "needy"')).toBe(1);
    expect(count(output, 'NEEDY_API_KEY')).toBe(1);
    expect(output).toContain("api_key: is required: set the environment variable NEEDY_API_KEY, or pass extensionConfigs['needy'].api_key");
    expect(output).toContain('EXT_ERR_BOOT');
    expect(stackFrames(output)).toEqual([]);
    // Node's frame ("triggerUncaughtException"), a one-line summary, the one inner error, its code and name.
    expect(output.trim().split('\n').length).toBeLessThanOrEqual(16);
    expect(output).toContain('ExtensionBootError: Extensions failed to boot (1 extension): needy');
  });

  it('a manifest that fails while the app compiles is reported once, by Nest, not logged by discovery as well', async () => {
    const { code, output } = await run(resolve('test/fixtures/quiet-boot/app.mjs'), { SEARCH: 'broken' });
    expect(code).not.toBe(0);
    expect(count(output, 'Invalid extension "Broken Name"')).toBe(1);
    expect(count(output, 'is not a semver version')).toBe(1);
    expect(stackFrames(output)).toEqual([]);
  });

  it('in the gateway app (main.ts), it is one log entry of three lines, and no warning about options for extensions it does not boot', async () => {
    const entry = resolve('dist/src/main.js');
    const { code, output } = await run(entry, {
      PORT: '0',
      NEEDY_API_KEY: '',
      GLEITZEIT_EXTENSIONS_PATH: resolve('test/fixtures/quiet-boot/extensions'),
      GLEITZEIT_EXTENSIONS: 'needy',
    });
    expect(code).toBe(1);
    expect(count(output, 'NEEDY_API_KEY')).toBe(1);
    expect(stackFrames(output)).toEqual([]);
    expect(output).not.toContain('WARN');
    const failure = output.slice(output.lastIndexOf('[Nest]'));
    expect(failure.trim().split('\n')).toEqual([
      expect.stringMatching(/ERROR \[Gleitzeit\] Extensions failed to boot \(1 extension\):$/),
      '  - needy: Invalid configuration for extension "needy" (1 problem):',
      "      - api_key: is required: set the environment variable NEEDY_API_KEY, or pass extensionConfigs['needy'].api_key",
    ]);
  });
});
