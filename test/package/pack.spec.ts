import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import request from 'supertest';

/*
 * The package as a user gets it: `npm pack` (its prepack builds), then a Nest app outside the repo
 * installs the tarball and its peers, compiles a decorator extension and a YAML extension that import
 * 'gleitzeit-extensions' by name, and serves /health from `node dist/src/main.js`.
 *
 * npm pack runs in a copy of the repo (with the same node_modules), because prepack's `nest build`
 * empties dist/, which the process tests run from while this suite runs. npm install works offline:
 * `npm ci` of this repo put every package it needs into the npm cache.
 */

const repo = resolve('.');
const work = mkdtempSync(join(tmpdir(), 'gleitzeit-pack-'));
const log: string[] = [];
let child: ChildProcess | undefined;

afterAll(() => {
  // PACK_TIMINGS=1 prints how long each step took.
  if (process.env.PACK_TIMINGS) console.log(log.join('\n'));
  child?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** The environment of a fresh shell: no Jest, no NODE_OPTIONS, no npm script context of `npm test`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', ...extra };
  delete env.JEST_WORKER_ID;
  for (const key of Object.keys(env)) {
    if (/^npm_(lifecycle_|package_|command$|config_local_prefix$)/.test(key)) delete env[key];
  }
  return env;
}

/** Runs a command to its end; a failure carries its stdout and stderr. */
function run(command: string, args: string[], cwd: string): Promise<string> {
  const began = performance.now();
  return new Promise((done, fail) => {
    execFile(command, args, { cwd, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const line = `$ ${command} ${args.join(' ')}  (in ${cwd}, ${Math.round(performance.now() - began)} ms)`;
      log.push(line);
      if (error) fail(new Error(`${line} failed (${error.code ?? error.signal}):\n--- stdout\n${stdout}\n--- stderr\n${stderr}\n--- steps\n${log.join('\n')}`));
      else done(stdout);
    });
  });
}

/** Starts the built app; resolves with its URL once it logs it, fails with its output if it exits first. */
function startApp(cwd: string): Promise<{ url: string; output: () => string }> {
  child = spawn(process.execPath, ['dist/src/main.js'], { cwd, env: cleanEnv({ PORT: '0' }), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((ready, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on (http:\/\/\S+)/.exec(output);
      if (match) ready({ url: match[1], output: () => output });
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.on('exit', (code) => fail(new Error(`the app exited with ${code} before it listened:\n${output}`)));
  });
}

async function stopApp(): Promise<void> {
  const exiting = child!;
  child = undefined;
  if (exiting.exitCode !== null) return;
  const exited = new Promise((done) => exiting.on('exit', done));
  exiting.kill('SIGKILL');
  await exited;
}

const installedVersion = (name: string) => JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')).version as string;

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** The user's app: a decorator extension, a YAML extension, an app module and main.ts. */
const APP_FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'ES2023',
      lib: ['ES2023'],
      outDir: 'dist',
      rootDir: '.',
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      types: ['node'],
    },
    include: ['src', 'extensions', 'lib'],
  }),
  'extensions/hello.ts': `import { ConfigField, Extension, Model, ModelRouter, type ExtensionLifecycle } from 'gleitzeit-extensions';

@Extension({ name: 'hello', description: 'a decorator extension outside the package', version: '1.0.0' })
@Model('hello-1', { capabilities: ['text'] })
@ConfigField('greeting', { default: 'hello' })
export class HelloExtension implements ExtensionLifecycle {
  constructor(
    readonly config: { greeting: string },
    private readonly router: ModelRouter,
  ) {}

  healthCheck() {
    return { healthy: true, says: this.config.greeting, greetServedBy: this.router.route('greet').extension };
  }
}
`,
  'extensions/greeter/extension.yaml': `name: greeter
description: a YAML extension outside the package
version: 1.0.0
models:
  - name: greet
    capabilities: [text]
config:
  greeting: { type: string, default: hi }
service:
  class_path: service.GreeterService
`,
  'extensions/greeter/service.ts': `import { ConfigBasedExtension } from 'gleitzeit-extensions';

export class GreeterService extends ConfigBasedExtension<{ greeting: string }> {
  override healthCheck() {
    return { healthy: true, says: this.config.greeting, models: this.getModels().map((m) => m.name) };
  }
}
`,
  // Outside the search path: the app does not boot it (no Ollama here); the test discovers it by hand.
  'lib/ollama.ts': `import { ConfigField, Extension } from 'gleitzeit-extensions';
import { OpenAiExtension } from 'gleitzeit-extensions/extensions/openai';

@Extension({ name: 'ollama', description: 'a second OpenAI-compatible endpoint, a subclass of the shipped openai extension' })
@ConfigField('apiKey', { default: 'ollama', envVar: 'OLLAMA_API_KEY', secret: true })
@ConfigField('baseUrl', { default: 'http://localhost:11434/v1', envVar: 'OLLAMA_BASE_URL' })
@ConfigField('models', { type: 'list', envVar: 'OLLAMA_MODELS' })
export class OllamaExtension extends OpenAiExtension {}
`,
  'src/app.module.ts': `import { Module } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { ExtensionsModule, OpenAiGatewayModule, SHIPPED_EXTENSIONS } from 'gleitzeit-extensions';

@Module({
  imports: [
    ExtensionsModule.forRoot({ searchPaths: [fileURLToPath(new URL('../extensions', import.meta.url)), SHIPPED_EXTENSIONS],
      // The shipped openai and claude need keys this app does not have: they show as not configured.
      extensionOptions: { openai: { onBootFailure: 'continue' }, claude: { onBootFailure: 'continue' } },
    }),
    OpenAiGatewayModule.register(),
  ],
})
export class AppModule {}
`,
  'src/main.ts': `import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { gatewayExpressAdapter } from 'gleitzeit-extensions';
import { AppModule } from './app.module.js';

const app = await NestFactory.create(AppModule, await gatewayExpressAdapter(), { abortOnError: false });
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
console.log(\`Listening on \${await app.getUrl()}\`);
`,
};

const PEERS = ['@nestjs/common', '@nestjs/core', '@nestjs/config', '@nestjs/terminus', 'reflect-metadata', 'rxjs', 'class-validator', 'class-transformer', '@opentelemetry/api'];

describe('the npm package', () => {
  it(
    'packs only the library, installs into a Nest app outside the repo, and serves its decorator and YAML extensions',
    async () => {
      // A copy of the repo, so prepack's build has a dist/ of its own.
      const source = join(work, 'repo');
      cpSync(repo, source, {
        recursive: true,
        filter: (path) => !['node_modules', 'dist', '.git', 'coverage'].some((skip) => path === join(repo, skip)) && !path.endsWith('.tgz'),
      });
      symlinkSync(realpathSync(join(repo, 'node_modules')), join(source, 'node_modules'), 'dir');
      const packed = await run('npm', ['pack', '--json', '--pack-destination', work], source);
      // Its --json report follows whatever the prepack build printed.
      const report = packed.search(/^\[/m);
      if (report < 0) throw new Error(`npm pack printed no JSON report:\n${packed}`);
      const [{ filename, files }] = JSON.parse(packed.slice(report)) as { filename: string; files: { path: string }[] }[];
      const paths = files.map((f) => f.path).sort();

      expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/src/index.js', 'dist/src/index.d.ts']));
      expect(paths).toEqual(expect.arrayContaining(['dist/extensions/mock/index.js', 'dist/extensions/echo.js', 'dist/extensions/openai/index.js', 'dist/extensions/claude/service.js']));
      expect(paths).toContain('dist/extensions/claude/extension.yaml');
      expect(paths).toContain('dist/extensions/openai/index.d.ts');
      // Only the build of src/ and extensions/: no sources, tests, fixtures or test output.
      // The JSON Schema of extension.yaml ships beside them (gleitzeit-extensions/extension.schema.json).
      expect(paths).toContain('extensions/extension.schema.json');
      expect(paths.filter((p) => !/^dist\/(src|extensions)\//.test(p) && !['package.json', 'README.md', 'LICENSE', 'extensions/extension.schema.json'].includes(p))).toEqual([]);
      expect(paths.filter((p) => /(^|\/)(test|fixtures|__tests__)\/|\.spec\.|\.tsbuildinfo$/.test(p))).toEqual([]);
      // Not the demo app: the gateway app and main.ts stay in the repository (OpenAiGatewayModule ships in dist/src/gateway).
      expect(paths.filter((p) => p.startsWith('dist/src/app/') || p.startsWith('dist/src/main.'))).toEqual([]);

      // The app: the tarball plus its peers (and an HTTP platform) at the versions tested here.
      const app = join(work, 'app');
      const dependencies = Object.fromEntries([...PEERS, '@nestjs/platform-express', 'openai'].map((name) => [name, installedVersion(name)]));
      write(app, {
        'package.json': JSON.stringify({
          name: 'gleitzeit-pack-check',
          private: true,
          type: 'module',
          dependencies: { 'gleitzeit-extensions': `file:${join(work, filename)}`, ...dependencies },
          devDependencies: { '@types/node': installedVersion('@types/node') },
        }),
        ...APP_FILES,
      });
      await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
      const installed = join(app, 'node_modules', 'gleitzeit-extensions');
      // Nest and friends are the app's (peers, one copy each); no HTTP platform is forced on it. commander is the CLI's (issue 13);
      // ajv checks the gateway's common request bodies (issue 12).
      const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
      expect(Object.keys(manifest.dependencies).sort()).toEqual(['ajv', 'commander', 'redos-detector', 'semver', 'yaml']);
      const optional = Object.keys(manifest.peerDependenciesMeta ?? {}).filter((name) => manifest.peerDependenciesMeta[name].optional);
      expect(Object.keys(manifest.peerDependencies).filter((name) => !optional.includes(name)).sort()).toEqual([...PEERS].sort());
      // The provider SDKs are needed only by the shipped openai and claude extensions, ioredis only for
      // the gateway's limits shared through Redis, @nestjs/platform-express only for gatewayExpressAdapter(): optional peers.
      expect(optional.sort()).toEqual(['@anthropic-ai/sdk', '@nestjs/platform-express', 'ioredis', 'openai']);
      expect(readdirSync(installed)).not.toContain('node_modules');
      const library = readdirSync(join(installed, 'dist', 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
      // No static import of an HTTP platform: gatewayExpressAdapter() imports Express's when called.
      const mentionsPlatform = library.filter((f) => readFileSync(join(installed, 'dist', 'src', f), 'utf8').includes('@nestjs/platform-express'));
      expect(mentionsPlatform).toEqual([join('gateway', 'express-server.js')]);
      expect(readFileSync(join(installed, 'dist', 'src', 'gateway', 'express-server.js'), 'utf8')).not.toMatch(/(from|import)\s*['"]@nestjs\/platform-express['"]/);

      // The shipped extensions are found through the package's SHIPPED_EXTENSIONS path.
      const shipped = await run(process.execPath, ['--input-type=module', '-e', "import('gleitzeit-extensions').then((m) => console.log(m.SHIPPED_EXTENSIONS))"], app);
      expect(shipped.trim().split('\n').pop()).toBe(join(realpathSync(installed), 'dist', 'extensions'));
      expect(readdirSync(join(installed, 'dist', 'extensions'))).toEqual(expect.arrayContaining(['mock', 'echo.js', 'openai', 'claude']));

      // The entry for extension files (no Nest) hands out the main entry's own classes.
      const same = await run(
        process.execPath,
        ['--input-type=module', '-e', "const [light, main] = await Promise.all([import('gleitzeit-extensions/extension'), import('gleitzeit-extensions')]); console.log(JSON.stringify(['Extension', 'Model', 'ConfigField', 'ConfigBasedExtension', 'ProviderError'].map((name) => typeof light[name] === 'function' && light[name] === main[name])))"],
        app,
      );
      expect(JSON.parse(same.trim().split('\n').pop()!)).toEqual([true, true, true, true, true]);

      await run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(app, 'tsconfig.json')], app);

      // The shipped openai extension is importable by its subpath (types and code), and a subclass of it
      // is an extension of its own: the inherited fields, its own redeclared ones, no openai models.
      const subclass = await run(
        process.execPath,
        ['--input-type=module', '-e', "const { discover } = await import('gleitzeit-extensions'); const { definitions, problems } = await discover(['dist/lib']); console.log(JSON.stringify({ problems: problems.map((p) => p.message), definitions: definitions.map((d) => ({ name: d.name, models: d.models.length, fields: d.configFields.map((f) => f.name + ':' + (f.envVar ?? '')) })) }))"],
        app,
      );
      expect(JSON.parse(subclass.trim().split('\n').pop()!)).toEqual({
        problems: [],
        definitions: [
          { name: 'ollama', models: 0, fields: ['apiKey:OLLAMA_API_KEY', 'baseUrl:OLLAMA_BASE_URL', 'organization:OPENAI_ORGANIZATION', 'timeout:', 'models:OLLAMA_MODELS', 'listModels:OPENAI_LIST_MODELS'] },
        ],
      });

      // Before the manifest is copied, the build holds greeter/service.js alone: discovery says why.
      const withoutManifest = await startApp(app);
      const answer = await request(withoutManifest.url).get('/health');
      expect(Object.keys(answer.body.details ?? {}).sort()).toEqual(['claude', 'echo', 'hello', 'mock', 'openai']);
      expect(answer.body.details.openai).toMatchObject({ status: 'degraded', state: 'not configured', set: ['OPENAI_API_KEY'] });
      await stopApp();
      expect(withoutManifest.output()).toContain(`Folder ${join(app, 'dist', 'extensions', 'greeter')} has neither extension.yaml`);
      expect(withoutManifest.output()).toContain('compilerOptions.assets in nest-cli.json');

      // What nest build's assets do: copy the manifest beside the compiled service.
      copyFileSync(join(app, 'extensions', 'greeter', 'extension.yaml'), join(app, 'dist', 'extensions', 'greeter', 'extension.yaml'));
      const started = await startApp(app);
      const health = await request(started.url).get('/health');
      const detail = `GET /health answered ${health.status} ${JSON.stringify(health.body)}\n--- app output\n${started.output()}`;
      expect({ status: health.status, body: health.body, detail }).toMatchObject({
        status: 200,
        body: {
          // openai and claude are not configured here: degraded, still 200.
          status: 'degraded',
          info: {
            hello: { status: 'up', state: 'started', says: 'hello', greetServedBy: 'greeter' },
            greeter: { status: 'up', state: 'started', says: 'hi', models: ['greet'] },
            mock: { status: 'up', state: 'started' },
          },
        },
      });
      // The package's bin, as `npx gleitzeit` runs it: the compiled extensions pass validate; list shows them.
      const bin = join(app, 'node_modules', '.bin', 'gleitzeit');
      const validated = await run(bin, ['validate', 'dist/extensions'], app);
      expect(validated).toContain('ok   greeter 1.0.0 [config] dist/extensions/greeter/extension.yaml');
      expect(validated).toContain('No problems: 2 extensions would load here.');
      expect(await run(bin, ['list', '--json', 'dist/extensions'], app)).toContain('"name": "hello"');
      // The gateway module from the package: OpenAI's API over the app's router.
      const chat = await request(started.url).post('/v1/chat/completions').send({ model: 'mock', messages: [{ role: 'user', content: 'from the tarball' }] });
      expect({ status: chat.status, content: chat.body.choices?.[0]?.message?.content }).toEqual({ status: 200, content: 'from the tarball' });
      expect((await request(started.url).post('/v1/chat/completions').send({ model: 'mock' })).body.error).toMatchObject({ param: 'messages', type: 'invalid_request_error' });
      await stopApp();
    },
    180_000,
  );
});
