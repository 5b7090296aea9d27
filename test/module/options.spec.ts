import { afterEach, describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module, type INestApplication } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  ExtensionBootError,
  ExtensionManager,
  ExtensionNotFound,
  ExtensionStateError,
  ExtensionsModule,
  getExtensionToken,
  InjectExtension,
} from '../../src/index.js';
import { GreeterModule } from '../fixtures/greeter.js';
import { JournalModule } from '../fixtures/journal.js';
import { appFixture, LogCollector } from '../support/boot.js';

const options = appFixture('options');
const envFile = `${options}.env`;
let app: INestApplication | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  delete process.env.GLEITZEIT_TEST_TOKEN;
  delete process.env.GLEITZEIT_TEST_LIMIT;
  delete process.env.GLEITZEIT_TEST_REGION;
});

async function boot(imports: unknown[]): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: imports as never[] }).compile();
  app = moduleRef.createNestApplication({ logger: new LogCollector() });
  await app.init();
  return app;
}

const configOf = (a: INestApplication) => a.get(ExtensionManager).getInstance<{ config: Record<string, unknown> }>('env-reader')!.config;

describe('ExtensionsModule options', () => {
  it('reads env vars through ConfigService, so .env files work, and injects from forRoot({ imports })', async () => {
    const booted = await boot([
      ConfigModule.forRoot({ isGlobal: true, envFilePath: envFile }),
      ExtensionsModule.forRoot({ searchPaths: [options], imports: [GreeterModule] }),
    ]);
    expect(configOf(booted)).toEqual({ token: 'tok-from-dotenv', limit: 42, region: 'eu' });
    expect(booted.get(ExtensionManager).getInstance<{ greeter: { greet(n: string): string } }>('env-reader')!.greeter.greet('x')).toBe('hello x');
  });

  it('reads values that only ConfigService knows (custom config loaders)', async () => {
    const booted = await boot([
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ GLEITZEIT_TEST_TOKEN: 'tok-from-loader' })] }),
      ExtensionsModule.forRoot({ searchPaths: [options], imports: [GreeterModule] }),
    ]);
    expect(configOf(booted).token).toBe('tok-from-loader');
  });

  it('falls back to process.env without @nestjs/config, and explicit config wins', async () => {
    process.env.GLEITZEIT_TEST_TOKEN = 'tok-from-process';
    process.env.GLEITZEIT_TEST_REGION = 'us';
    const booted = await boot([ExtensionsModule.forRoot({ searchPaths: [options], imports: [GreeterModule], extensionConfigs: { 'env-reader': { region: 'ap' } } })]);
    expect(configOf(booted)).toEqual({ token: 'tok-from-process', limit: 5, region: 'ap' });
  });

  it('forRootAsync takes runtime options from an injected factory', async () => {
    const booted = await boot([
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ VAULT_TOKEN: 'tok-from-factory' })] }),
      ExtensionsModule.forRootAsync({
        searchPaths: [options],
        imports: [GreeterModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({ extensionConfigs: { 'env-reader': { token: config.get('VAULT_TOKEN'), limit: 9 } } }),
      }),
    ]);
    expect(configOf(booted)).toEqual({ token: 'tok-from-factory', limit: 9, region: 'eu' });
  });

  it('forRootAsync may narrow the selection; the others stay discovered', async () => {
    const booted = await boot([
      JournalModule,
      ExtensionsModule.forRootAsync({ searchPaths: [appFixture('workers')], useFactory: async () => ({ extensions: ['worker-b'] }) }),
    ]);
    const manager = booted.get(ExtensionManager);
    expect(manager.getState('worker-b')).toBe('started');
    expect(manager.getState('worker-a')).toBe('discovered');
  });

  it('injects a stable handle with @InjectExtension(name) and getExtensionToken(name) that follows a reload', async () => {
    @Injectable()
    class UsesWorker {
      constructor(@InjectExtension('worker-a') readonly worker: { config: Record<string, unknown>; healthCheck(): Promise<unknown> }) {}
    }
    @Module({ providers: [UsesWorker] })
    class FeatureModule {}
    const booted = await boot([JournalModule, ExtensionsModule.forRoot({ searchPaths: [appFixture('workers')], extensions: ['worker-a'] }), FeatureModule]);
    const manager = booted.get(ExtensionManager);
    const { worker } = booted.get(UsesWorker);
    const first = manager.getInstance<object>('worker-a')!;
    expect(worker).toBe(booted.get(getExtensionToken('worker-a')));
    expect(worker).toBe(manager.getHandle('worker-a'));
    expect(worker).toBeInstanceOf(first.constructor as new () => unknown);
    expect(worker.config.hangIn).toBe('');
    await expect(worker.healthCheck()).resolves.toMatchObject({ healthy: true });

    await manager.unloadExtension('worker-a');
    expect(() => worker.config).toThrow(new ExtensionStateError(`Extension "worker-a" cannot be used: it is discovered. Load it first (manager.loadExtension('worker-a')).`, 'worker-a'));
    await manager.loadExtension('worker-a', { hangIn: 'stop' });
    expect(manager.getInstance('worker-a')).not.toBe(first);
    // The injected handle acts on the new instance, with its new config: never the old one.
    expect(worker.config.hangIn).toBe('stop');
  });

  it('injects a handle that names the failure for an extension that failed under continue', async () => {
    @Injectable()
    class UsesWorker {
      constructor(@InjectExtension('worker-a') readonly worker: { config: unknown }) {}
    }
    @Module({ providers: [UsesWorker] })
    class FeatureModule {}
    const booted = await boot([
      JournalModule,
      ExtensionsModule.forRoot({ searchPaths: [appFixture('workers')], extensions: ['worker-a'], onBootFailure: 'continue', extensionConfigs: { 'worker-a': { failIn: 'nope' } } }),
      FeatureModule,
    ]);
    expect(booted.get(ExtensionManager).getState('worker-a')).toBe('failed');
    const { worker } = booted.get(UsesWorker);
    expect(() => worker.config).toThrow(ExtensionStateError);
    expect(() => worker.config).toThrow(/Extension "worker-a" cannot be used: it failed: Invalid configuration for extension "worker-a"/);
  });

  it('refuses an unknown selected extension with close matches, before the app compiles', async () => {
    await expect(ExtensionsModule.forRoot({ searchPaths: [appFixture('workers')], extensions: ['worker-x'] })).rejects.toThrow(
      new ExtensionNotFound('Extension "worker-x" is not registered. Did you mean "worker-a" or "worker-b" or "worker-c"? Discovered: worker-a, worker-b, worker-c.', 'worker-x'),
    );
  });

  it('fails the boot over a broken extension in a search path under abort, and serves the rest under continue', async () => {
    const searchPaths = [appFixture('../discovery/mixed')];
    const failed = await Test.createTestingModule({ imports: [ExtensionsModule.forRoot({ searchPaths })] })
      .compile()
      .catch((e) => e);
    expect(failed).toBeInstanceOf(ExtensionBootError);
    expect((failed as ExtensionBootError).errors).toHaveLength(4);

    const logs = new LogCollector();
    const moduleRef = await Test.createTestingModule({ imports: [ExtensionsModule.forRoot({ searchPaths, onBootFailure: 'continue' })] })
      .setLogger(logs)
      .compile();
    app = moduleRef.createNestApplication({ logger: logs });
    await app.init();
    expect(app.get(ExtensionManager).listLoaded()).toEqual(['also-good', 'good']);
    expect(app.get(ExtensionManager).getSummary().problems).toHaveLength(4);
    // Under continue each problem is logged, once.
    const problems = logs.lines.filter((l) => l.startsWith('error: ') && !l.startsWith('error: Extensions ('));
    expect(problems).toHaveLength(4);
    expect(problems.filter((l) => l.includes('broken-yaml'))).toHaveLength(1);
  });

  it('warns about extensionConfigs for an extension that was not discovered', async () => {
    const logs = new LogCollector();
    const moduleRef = await Test.createTestingModule({
      imports: [JournalModule, ExtensionsModule.forRoot({ searchPaths: [appFixture('workers')], extensionConfigs: { 'worker-d': { failIn: '' } } })],
    }).compile();
    app = moduleRef.createNestApplication({ logger: logs });
    await app.init();
    expect(logs.lines).toContain(
      'warn: extensionConfigs names "worker-d", which was not discovered; it is ignored. Did you mean "worker-a" or "worker-b" or "worker-c"?',
    );
  });

  it('leaves starting to the caller with autoStart: false', async () => {
    const booted = await boot([JournalModule, ExtensionsModule.forRoot({ searchPaths: [appFixture('workers')], autoStart: false })]);
    const manager = booted.get(ExtensionManager);
    expect(manager.getState('worker-a')).toBe('loaded');
    await manager.startAllExtensions();
    expect(manager.getState('worker-c')).toBe('started');
  });
});
