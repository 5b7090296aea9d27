import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fixtures, gleitzeit } from './support.js';

/*
 * The built CLI (dist/src/cli/main.js, the package's bin) as a child process with no TypeScript
 * loader, as a user runs it, over fixture folders: output and exit codes.
 */

const SECRETS = { CLI_VAULT_TOKEN: 'tok-SENTINEL-1234', CLI_VAULT_SIGNING_KEY: 'SENTINEL-signing-5678', CLI_VAULT_RETRIES: 'many' };

describe('gleitzeit validate', () => {
  it('passes good extensions (TypeScript compiled in memory, YAML) with exit code 0', async () => {
    const run = await gleitzeit(['validate', fixtures('good')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("TypeScript: compiled in memory with this project's typescript");
    expect(run.stdout).toMatch(/ok {3}greeter 2\.0\.0 \[config\] test\/fixtures\/cli\/good\/greeter\/extension\.yaml/);
    expect(run.stdout).toMatch(/ok {3}hello 1\.2\.3 \[decorator\] test\/fixtures\/cli\/good\/hello\.ts/);
    expect(run.stdout).toContain('No problems: 2 extensions would load here.');
  });

  it('prints every problem with its file and field and exits with 1', async () => {
    const run = await gleitzeit(['validate', fixtures('broken')], { CLI_FIXTURE_TOKEN: '' });
    expect(run.code).toBe(1);
    const lines = [
      ['FAIL test/fixtures/cli/broken/bad-manifest/extension.yaml', '    modles: is not a known key. Did you mean "models"?', '    version: "one.two" is not a semver version such as 1.0.0'],
      ['FAIL needs-env 1.0.0 [config] test/fixtures/cli/broken/needs-env/extension.yaml', "    config.token: is required: set the environment variable CLI_FIXTURE_TOKEN, or pass extensionConfigs['needs-env'].token"],
      ['FAIL needs-ghost 1.0.0 [config] test/fixtures/cli/broken/needs-ghost/extension.yaml', '    dependencies.extensions: depends on extension "ghost", which is not in these search paths'],
      ['FAIL needs-package 1.0.0 [config] test/fixtures/cli/broken/needs-package/extension.yaml', '    dependencies.packages: The extension "needs-package"'],
      ['FAIL test/fixtures/cli/broken/bad-package-spec/extension.yaml', '    dependencies.packages[0]: "left-pad^1" is not a package specifier: npm ranges go after @ (left-pad@^1)'],
    ];
    for (const block of lines) expect(run.stdout).toContain(block.join('\n'));
    expect(run.stdout).toContain('Fix: npm install "not-installed-anywhere@^1"');
    expect(run.stdout).toContain('6 problems. Unset environment variables: CLI_FIXTURE_TOKEN.');
  });

  it('--json gives CI every problem with extension, file, field and code', async () => {
    const run = await gleitzeit(['validate', '--json', fixtures('broken')], { CLI_FIXTURE_TOKEN: '' });
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        { extension: 'bad-manifest', file: 'test/fixtures/cli/broken/bad-manifest/extension.yaml', field: 'version', code: 'EXT_ERR_VALIDATION', message: '"one.two" is not a semver version such as 1.0.0' },
        { extension: 'needs-env', file: 'test/fixtures/cli/broken/needs-env/extension.yaml', field: 'config.token', code: 'EXT_ERR_CONFIG', message: expect.stringContaining('CLI_FIXTURE_TOKEN') },
        expect.objectContaining({ extension: 'needs-package', field: 'dependencies.packages', code: 'EXT_ERR_DEPENDENCY' }),
        expect.objectContaining({ extension: 'needs-ghost', field: 'dependencies.extensions', code: 'EXT_ERR_DEPENDENCY' }),
      ]),
    );
    expect(result.problems).toHaveLength(6);
    expect(result.extensions.find((e: { name: string }) => e.name === 'needs-env')).toMatchObject({ ready: false, notReady: 'set CLI_FIXTURE_TOKEN' });
  });

  it('passes once the missing environment variable is set', async () => {
    const run = await gleitzeit(['validate', '--json', fixtures('broken')], { CLI_FIXTURE_TOKEN: 'set-now' });
    const needsEnv = JSON.parse(run.stdout).extensions.find((e: { name: string }) => e.name === 'needs-env');
    expect(needsEnv).toMatchObject({ ready: true, problems: [] });
  });

  it('says how to read TypeScript where no loader and no typescript package are at hand', async () => {
    const run = await gleitzeit(['validate', fixtures('good')], {}, '/');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('TypeScript: not read: no TypeScript loader is active and no typescript package is installed here');
    expect(run.stdout).toContain('hello.ts is TypeScript and no TypeScript loader is active');
  });

  it('fails when the path holds no extension', async () => {
    const run = await gleitzeit(['validate', fixtures('nowhere')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('is not a folder; no extensions were loaded from it.');
    expect(run.stdout).toContain('No extension found');
  });
});

describe('gleitzeit list', () => {
  it('shows style, version, models, capabilities, config fields and readiness', async () => {
    const run = await gleitzeit(['list', fixtures('good'), fixtures('broken')], { CLI_FIXTURE_TOKEN: '' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/hello +decorator +1\.2\.3 +hello-chat, shared-model +streaming, text +yes/);
    expect(run.stdout).toMatch(/needs-env +config +1\.0\.0 +env-model +- +no: set CLI_FIXTURE_TOKEN/);
    expect(run.stdout).toMatch(/needs-env +token +string +CLI_FIXTURE_TOKEN +required, secret +unset \(required\)/);
    expect(run.stdout).toMatch(/greeter +api_key +string +CLI_GREETER_KEY +secret +unset/);
    expect(run.stdout).toContain('3 problems in files that gave no extension');
  });

  it('--json lists the same facts', async () => {
    const { stdout } = await gleitzeit(['list', '--json', fixtures('good')]);
    const hello = JSON.parse(stdout).extensions.find((e: { name: string }) => e.name === 'hello');
    expect(hello).toMatchObject({
      style: 'decorator',
      version: '1.2.3',
      models: [{ name: 'hello-chat', aliases: ['hi'] }, { name: 'shared-model' }],
      capabilities: ['streaming'],
      dependsOn: ['greeter'],
      config: [{ name: 'greeting', secret: false, envVar: 'CLI_HELLO_GREETING', source: 'default' }],
      ready: true,
    });
  });
});

describe('secrets', () => {
  it.each([['validate'], ['validate', '--json'], ['list'], ['list', '--json'], ['explain', 'vault-model']])('gleitzeit %s never prints a secret value, even of a field whose value is wrong', async (...args) => {
    const run = await gleitzeit([...args, fixtures('secrets')], SECRETS);
    const output = run.stdout + run.stderr;
    expect(output).toContain('vault');
    for (const value of Object.values(SECRETS).slice(0, 2)) expect(output).not.toContain(value);
    expect(output).not.toContain('SENTINEL');
  });

  it('names the secret field whose value breaks its pattern', async () => {
    const run = await gleitzeit(['validate', fixtures('secrets')], SECRETS);
    expect(run.stdout).toContain("@ConfigField('signingKey'): must match the pattern /^sk-[a-z]+$/");
    expect(run.stdout).toContain("@ConfigField('retries'): must be an integer (e.g. 42) (from environment variable CLI_VAULT_RETRIES)");
  });
});

describe('gleitzeit explain', () => {
  it("shows the router's choice and every candidate with its reason", async () => {
    const run = await gleitzeit(['explain', 'shared-model', fixtures('good')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Model "shared-model": served by extension greeter (model shared-model).');
    expect(run.stdout).toMatch(/hello +shared-model +exact +0 +0\.002 +rejected: greeter ranks higher \(cost 0\.001 < 0\.002\)/);
  });

  it('says why an extension that would not load here is rejected, and exits with 1', async () => {
    const run = await gleitzeit(['explain', 'gpt-4o', resolve('extensions')], { OPENAI_API_KEY: '' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('rejected: extension is not ready (set OPENAI_API_KEY)');
    expect(run.stdout).toContain('Extension "openai" serves model "gpt-4o" but is not loaded (it needs OPENAI_API_KEY)');
  });

  it('matches aliases and capabilities like the router; --json gives the explanation', async () => {
    const run = await gleitzeit(['explain', 'hi', '--capability', 'streaming', '--json', fixtures('good')]);
    expect(JSON.parse(run.stdout).explanation).toMatchObject({ model: 'hi', capabilities: ['streaming'], chosen: { extension: 'hello', model: 'hello-chat' } });
    const missing = await gleitzeit(['explain', 'hi', '--capability', 'vision', fixtures('good')]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('rejected: lacks capabilities vision');
  });
});

describe('the package bin', () => {
  it('is dist/src/cli/main.js with a node shebang', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.bin).toEqual({ gleitzeit: 'dist/src/cli/main.js' });
    expect(readFileSync(pkg.bin.gleitzeit, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });
});
