import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ExtensionManager, ExtensionsModule, type ExtensionsModuleOptions } from '../../src/index.js';
import { JournalModule } from '../fixtures/journal.js';
import { appFixture, LogCollector } from '../support/boot.js';

/*
 * ExtensionsModule on both HTTP platforms, listening on a real port: the same assertions on Express
 * and on Fastify for /health, /health/live, /health/ready and the introspection endpoints.
 */

type Platform = 'express' | 'fastify';
let app: INestApplication | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function boot(platform: Platform, options: ExtensionsModuleOptions): Promise<{ url: string; logs: LogCollector }> {
  const logs = new LogCollector();
  const moduleRef = await Test.createTestingModule({ imports: [JournalModule, ExtensionsModule.forRoot({ searchPaths: [appFixture('workers')], introspectionPath: '', ...options })] })
    .setLogger(logs)
    .compile();
  app = platform === 'fastify' ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: logs }) : moduleRef.createNestApplication({ logger: logs });
  await app.listen(0, '127.0.0.1');
  return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), logs };
}

describe.each<Platform>(['express', 'fastify'])('ExtensionsModule on %s', (platform) => {
  it('serves /health, /health/live and /health/ready with the details per extension', async () => {
    const { url } = await boot(platform, { extensions: ['worker-a', 'worker-b'] });
    const health = await request(url).get('/health').expect(200);
    expect(health.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(health.body).toMatchObject({ status: 'ok', details: { 'worker-a': { status: 'up', state: 'started', healthy: true, apiKey: '***' }, 'worker-b': { status: 'up' } } });
    await request(url).get('/health/live').expect(200, { status: 'ok', info: {}, error: {}, details: {} });
    const ready = await request(url).get('/health/ready').expect(200);
    expect(ready.body.info.extensions).toEqual({ status: 'up', phase: 'serving' });
  });

  it('answers 503 with the failing extension in `error` when a healthCheck() says unhealthy, and logs that once', async () => {
    const { url, logs } = await boot(platform, { extensions: ['worker-a', 'worker-b'], extensionConfigs: { 'worker-b': { failIn: 'unhealthy' } } });
    const health = await request(url).get('/health').expect(503);
    expect(health.body).toMatchObject({ status: 'error', error: { 'worker-b': { status: 'down', healthy: false } }, info: { 'worker-a': { status: 'up' } } });
    const ready = await request(url).get('/health/ready').expect(503);
    expect(ready.body.error['worker-b'].status).toBe('down');
    await request(url).get('/health/live').expect(200);
    expect(logs.lines.filter((l) => l.includes('Health:'))).toEqual(['warn: Health: extension "worker-b" is down: healthCheck() answered healthy: false']);
  });

  it('serves /extensions, /extensions/:name (404 with close matches) and /models', async () => {
    const { url } = await boot(platform, { extensions: ['worker-b'] });
    const summary = await request(url).get('/extensions').expect(200);
    expect(summary.body).toMatchObject({ total: 3, states: { started: 1, discovered: 2 } });
    const one = await request(url).get('/extensions/worker-b').expect(200);
    expect(one.body).toMatchObject({ name: 'worker-b', state: 'started', config: { apiKey: '***' }, health: { healthy: true } });
    const unknown = await request(url).get('/extensions/worker-z').expect(404);
    expect(unknown.body).toEqual({ statusCode: 404, code: 'EXT_ERR_NOT_FOUND', message: expect.stringContaining('Did you mean "worker-a" or "worker-b" or "worker-c"?') });
    const models = await request(url).get('/models').expect(200);
    expect(models.body['shared-model']).toMatchObject({ extension: 'worker-b' });
    expect(app!.get(ExtensionManager).getState('worker-b')).toBe('started');
  });

  it('turns readiness 503 from the moment shutdown begins while liveness stays 200', async () => {
    const { url } = await boot(platform, { extensions: ['worker-a'], shutdownDelayMs: 400 });
    await request(url).get('/health/ready').expect(200);
    const closing = app!.close();
    app = undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ready = await request(url).get('/health/ready').expect(503);
    expect(ready.body.error.extensions).toMatchObject({ status: 'down', phase: 'shutting down' });
    await request(url).get('/health/live').expect(200);
    await closing;
  });
});
