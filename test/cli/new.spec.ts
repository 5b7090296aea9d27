import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { gleitzeit, userEnv } from './support.js';

/*
 * `gleitzeit new` in an app outside the repository that has the package in node_modules: both styles
 * pass `validate` as written, their generated tests pass under jest, and, compiled, they boot in the
 * gateway app (GLEITZEIT_EXTENSIONS_PATH) and answer chat requests through OpenAI's API.
 */

const repo = resolve('.');
const app = realpathSync(mkdtempSync(join(tmpdir(), 'gleitzeit-new-')));
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(app, { recursive: true, force: true });
});

// The package and the tools a user's app has installed (links into this repository).
mkdirSync(join(app, 'node_modules', '@types'), { recursive: true });
symlinkSync(repo, join(app, 'node_modules', 'gleitzeit-extensions'), 'dir');
for (const name of ['typescript', '@jest', '@types/node']) symlinkSync(join(repo, 'node_modules', name), join(app, 'node_modules', name), 'dir');
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'my-app', private: true, type: 'module' }));
const compilerOptions = { module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2023', experimentalDecorators: true, emitDecoratorMetadata: true, useDefineForClassFields: false, strict: true, skipLibCheck: true, types: ['node'] };
writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, outDir: 'dist', rootDir: '.' }, include: ['extensions'], exclude: ['**/*.spec.ts'] }));
writeFileSync(
  join(app, 'jest.config.json'),
  JSON.stringify({
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    transform: { '^.+\\.ts$': [join(repo, 'node_modules', 'ts-jest'), { useESM: true, tsconfig: { ...compilerOptions, isolatedModules: true } }] },
  }),
);

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [file, ...args], { cwd: app, env: userEnv(env), timeout: 120_000 }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

/** The gateway app of this repository, searching the given folder; resolves with its URL once it listens. */
function startGateway(path: string, extensions: string): Promise<{ url: string; output: () => string }> {
  child = spawn(process.execPath, [join(repo, 'dist/src/main.js')], {
    cwd: app,
    env: userEnv({ PORT: '0', GLEITZEIT_EXTENSIONS_PATH: path, GLEITZEIT_EXTENSIONS: extensions }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((ready, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on (http:\/\/\S+)/.exec(output);
      if (match) ready({ url: match[1].replace('localhost', '127.0.0.1'), output: () => output });
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.on('exit', (code) => fail(new Error(`the gateway exited with ${code}:\n${output}`)));
  });
}

describe('gleitzeit new', () => {
  it('scaffolds a decorator and a YAML provider extension, each with its test', async () => {
    const decorator = await gleitzeit(['new', 'acme-ai'], {}, app);
    expect(decorator).toMatchObject({ code: 0, stderr: '' });
    expect(decorator.stdout).toContain('Created extensions/acme-ai (decorator):\n  extensions/acme-ai/index.ts\n  extensions/acme-ai/acme-ai.spec.ts');
    const yaml = await gleitzeit(['new', 'greeter', '--style', 'yaml'], {}, app);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toContain('extensions/greeter/extension.yaml\n  extensions/greeter/service.ts\n  extensions/greeter/greeter.spec.ts');
    // The manifest names the schema where the installed package has it, for the YAML language server.
    const manifest = readFileSync(join(app, 'extensions/greeter/extension.yaml'), 'utf8');
    expect(manifest.split('\n')[0]).toBe('# yaml-language-server: $schema=../../node_modules/gleitzeit-extensions/extensions/extension.schema.json');
    expect(existsSync(join(app, 'extensions/greeter', '../../node_modules/gleitzeit-extensions/extensions/extension.schema.json'))).toBe(true);
  });

  it('refuses a folder that exists, a bad name and an unknown style, writing nothing', async () => {
    const before = readFileSync(join(app, 'extensions/acme-ai/index.ts'), 'utf8');
    const again = await gleitzeit(['new', 'acme-ai', '--style', 'yaml'], {}, app);
    expect(again).toMatchObject({ code: 1, stderr: 'gleitzeit: extensions/acme-ai already exists; nothing was written. Choose another name, or remove it first.\n' });
    expect(readFileSync(join(app, 'extensions/acme-ai/index.ts'), 'utf8')).toBe(before);
    const bad = await gleitzeit(['new', 'Acme AI'], {}, app);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"Acme AI" is not an extension name: use lowercase letters, digits, - and _');
    expect((await gleitzeit(['new', 'extensions'], {}, app)).stderr).toContain('"extensions" is reserved');
    const style = await gleitzeit(['new', 'x', '--style', 'json'], {}, app);
    expect(style.code).toBe(1);
    expect(style.stderr).toContain("argument 'json' is invalid. Allowed choices are decorator, yaml.");
    expect(existsSync(join(app, 'extensions/x'))).toBe(false);
  });

  it('writes extensions that pass validate as written (beside the guide\'s wire-chat example)', async () => {
    // docs/extensions.md's example provider and its test, checked here the same way.
    cpSync(resolve('test/fixtures/guide/wire-chat'), join(app, 'extensions/wire-chat'), { recursive: true });
    const unset = await gleitzeit(['validate', 'extensions'], { WIRE_CHAT_API_KEY: '' }, app);
    expect(unset.code).toBe(1);
    expect(unset.stdout).toContain("@ConfigField('apiKey'): is required: set the environment variable WIRE_CHAT_API_KEY");
    const result = await gleitzeit(['validate', 'extensions'], { ACME_AI_API_KEY: 'sk-acme-never-shown', WIRE_CHAT_API_KEY: 'sk-wire' }, app);
    expect(result.stdout).toContain('ok   wire-chat 0.1.0 [decorator] extensions/wire-chat/index.ts');
    expect(result.stdout).toContain('ok   acme-ai 0.1.0 [decorator] extensions/acme-ai/index.ts');
    expect(result.stdout).toContain('ok   greeter 0.1.0 [config] extensions/greeter/extension.yaml');
    expect(result.stdout).not.toContain('sk-acme-never-shown');
    expect(result.code).toBe(0);
  });

  it('writes tests that pass under jest', async () => {
    const jest = await run(join(repo, 'node_modules/jest/bin/jest.js'), ['--config', 'jest.config.json', '--ci'], { NODE_OPTIONS: '--experimental-vm-modules' });
    expect(jest.output).toContain('Tests:       4 passed, 4 total');
    expect(jest.code).toBe(0);
  }, 120_000);

  it('boots, compiled, in the gateway app and answers chat requests through it', async () => {
    const tsc = await run(join(repo, 'node_modules/typescript/bin/tsc'), ['-p', 'tsconfig.json']);
    expect(tsc).toEqual({ code: 0, output: '' });
    // tsc does not copy manifests (nest build's assets do).
    writeFileSync(join(app, 'dist/extensions/greeter/extension.yaml'), readFileSync(join(app, 'extensions/greeter/extension.yaml')));
    const gateway = await startGateway(join(app, 'dist/extensions'), 'acme-ai,greeter');
    for (const model of ['acme-ai-chat', 'greeter-chat']) {
      const chat = await request(gateway.url).post('/v1/chat/completions').send({ model, messages: [{ role: 'user', content: 'hello from the gateway' }] });
      expect({ model, status: chat.status, content: chat.body.choices?.[0]?.message?.content }).toEqual({ model, status: 200, content: 'hello from the gateway' });
    }
    const stream = await request(gateway.url).post('/v1/chat/completions').send({ model: 'acme-ai-chat', stream: true, messages: [{ role: 'user', content: 'one two three' }] });
    const pieces = stream.text.split('\n').filter((line) => line.startsWith('data: {')).map((line) => JSON.parse(line.slice(6)).choices[0]?.delta?.content ?? '');
    expect(pieces.join('')).toBe('one two three');
    const health = await request(gateway.url).get('/health');
    expect(health.body.info).toMatchObject({ 'acme-ai': { status: 'up', baseUrl: 'http://localhost:8080/v1' }, greeter: { status: 'up' } });
  }, 120_000);
});
