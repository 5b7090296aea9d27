import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { Test } from '@nestjs/testing';
import { createExtensionSummaryReport, ExtensionManager, ExtensionsModule } from '../../src/index.js';
import { JournalModule } from '../fixtures/journal.js';
import { appFixture, bootApp, type BootedApp } from '../support/boot.js';

let booted: BootedApp | undefined;

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
});

const http = () => request(booted!.app.getHttpServer());

describe('introspection endpoints', () => {
  it('are not mounted unless introspectionPath is set: they show config to whoever asks', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [JournalModule, ExtensionsModule.forRoot({ searchPaths: [appFixture('workers')], extensions: ['worker-b'] })] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      await request(app.getHttpServer()).get('/extensions').expect(404);
      await request(app.getHttpServer()).get('/extensions/worker-b').expect(404);
      await request(app.getHttpServer()).get('/models').expect(404);
      await request(app.getHttpServer()).get('/health').expect(200);
    } finally {
      await app.close();
    }
  });

  it('show file paths relative to the working directory, never where the app lives on disk', async () => {
    booted = await bootApp({ searchPaths: [appFixture('workers')], extensions: ['worker-b'], introspectionPath: 'internal' });
    const { body, text } = await http().get('/internal/extensions/worker-b').expect(200);
    expect(body.source).toBe('test/fixtures/apps/workers/worker.ts');
    expect(text).not.toContain(process.cwd());
    const summary = await http().get('/internal/extensions').expect(200);
    expect(summary.text).not.toContain(process.cwd());
  });

  it('GET /extensions gives the summary', async () => {
    booted = await bootApp({ searchPaths: [appFixture('lifecycle')], extensions: ['cache'] });
    const { body } = await http().get('/extensions').expect(200);
    expect(body.total).toBe(3);
    expect(body.states).toEqual({ discovered: 1, loaded: 0, started: 2, stopped: 0, failed: 0 });
    expect(body.extensions.cache).toEqual({ state: 'started', style: 'config', version: '1.0.0', models: ['cache-model'], capabilities: [] });
  });

  it('GET /extensions/:name gives the report with masked config and live health', async () => {
    booted = await bootApp({ searchPaths: [appFixture('workers')], extensions: ['worker-b'] });
    const { body } = await http().get('/extensions/worker-b').expect(200);
    expect(body).toMatchObject({
      name: 'worker-b',
      style: 'decorator',
      state: 'started',
      capabilities: ['streaming'],
      config: { failIn: '', hangIn: '', apiKey: '***' },
      health: { healthy: true, started: 1, apiKey: '***', note: 'key is ***' },
    });
    expect(body.timings).toEqual({ import: expect.any(Number), setup: expect.any(Number), start: expect.any(Number) });
    expect(body.configFields).toContainEqual({ name: 'apiKey', type: 'string', required: false, secret: true });
  });

  it('GET /extensions/:name is 404 with close matches for an unknown name', async () => {
    booted = await bootApp({ searchPaths: [appFixture('workers')], extensions: ['worker-b'] });
    const { body } = await http().get('/extensions/worker-z').expect(404);
    expect(body).toEqual({
      statusCode: 404,
      code: 'EXT_ERR_NOT_FOUND',
      message: 'Extension "worker-z" is not registered. Did you mean "worker-a" or "worker-b" or "worker-c"? Discovered: worker-a, worker-b, worker-c.',
    });
  });

  it('GET /models lists the models that route, with their extension', async () => {
    booted = await bootApp({ searchPaths: [appFixture('workers')], extensions: ['worker-b'] });
    const { body } = await http().get('/models').expect(200);
    expect(body).toEqual({
      'shared-model': { name: 'shared-model', extension: 'worker-b', capabilities: ['text', 'vision', 'streaming'], aliases: [], priority: 0 },
    });
  });
});

describe('createExtensionSummaryReport()', () => {
  it('is a text table with name, style, version, state, health and models', async () => {
    booted = await bootApp({ searchPaths: [appFixture('workers')], extensions: ['worker-a'], extensionConfigs: { 'worker-a': { failIn: 'unhealthy' } } });
    const report = await createExtensionSummaryReport(booted.app.get(ExtensionManager));
    expect(report.split('\n')).toEqual([
      'Extensions: 3 (2 discovered, 1 started)',
      '',
      'NAME      STYLE      VERSION  STATE       HEALTH     MODELS',
      '--------  ---------  -------  ----------  ---------  ---------------------',
      'worker-a  decorator  1.0.0    started     unhealthy  shared-model, a-model',
      'worker-b  decorator  1.0.0    discovered  -          shared-model',
      'worker-c  decorator  1.0.0    discovered  -          c-model',
    ]);
  });
});
