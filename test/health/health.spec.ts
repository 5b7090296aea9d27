import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Inject, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import request from 'supertest';
import { ExtensionsHealthIndicator } from '../../src/index.js';
import { appFixture, bootApp, type BootedApp } from '../support/boot.js';

const workers = appFixture('workers');
let booted: BootedApp | undefined;

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
});

const http = () => request(booted!.app.getHttpServer());

describe('GET /health', () => {
  it('is up when every extension is started and healthy, with details per extension', async () => {
    booted = await bootApp({ searchPaths: [workers] });
    const response = await http().get('/health').expect(200);
    expect(response.body.status).toBe('ok');
    expect(Object.keys(response.body.details)).toEqual(['worker-a', 'worker-b', 'worker-c']);
    expect(response.body.details['worker-a']).toMatchObject({ status: 'up', state: 'started', healthy: true, started: 1 });
  });

  it('treats an extension without healthCheck() as up while started', async () => {
    booted = await bootApp({ searchPaths: [appFixture('lifecycle')] });
    const response = await http().get('/health').expect(200);
    expect(response.body.details.base).toMatchObject({ status: 'up', state: 'started', healthy: true });
  });

  it('is 503 with the details when a healthCheck() answers unhealthy', async () => {
    booted = await bootApp({ searchPaths: [workers], extensionConfigs: { 'worker-b': { failIn: 'unhealthy' } } });
    const response = await http().get('/health').expect(503);
    expect(response.body.status).toBe('error');
    expect(response.body.error['worker-b']).toMatchObject({ status: 'down', healthy: false, started: 1 });
    expect(response.body.info['worker-a'].status).toBe('up');
  });

  it('is down with the error message when healthCheck() throws', async () => {
    booted = await bootApp({ searchPaths: [workers], extensionConfigs: { 'worker-a': { failIn: 'health' } } });
    const response = await http().get('/health').expect(503);
    expect(response.body.error['worker-a']).toMatchObject({ status: 'down', message: 'health broke while using key ***' });
  });

  it('is down at the timeout when healthCheck() hangs, and answers shortly after it', async () => {
    booted = await bootApp({ searchPaths: [workers], extensionConfigs: { 'worker-c': { hangIn: 'health' } }, healthTimeoutMs: 300 });
    const began = performance.now();
    const response = await http().get('/health').expect(503);
    const took = performance.now() - began;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2000);
    expect(response.body.error['worker-c']).toMatchObject({ status: 'down', message: 'healthCheck() did not answer within 300 ms' });
  });

  it('shows an extension that failed under continue as degraded, keeping 200', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a', 'worker-b'], onBootFailure: 'continue', extensionConfigs: { 'worker-b': { failIn: 'start' } } });
    const response = await http().get('/health').expect(200);
    expect(response.body.details['worker-b']).toMatchObject({
      status: 'degraded',
      state: 'failed',
      error: 'EXT_ERR_LIFECYCLE: Extension "worker-b" failed in start(): start broke while using key ***',
    });
  });

  it('reuses a health answer within healthCacheMs, so probes do not call the provider each time', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a'], healthCacheMs: 60_000 });
    const first = await http().get('/health').expect(200);
    const second = await http().get('/health').expect(200);
    expect(booted.journal.events.filter((e) => e === 'worker-a:health')).toHaveLength(1);
    expect(first.body.details['worker-a'].cachedResponse).toBeUndefined();
    expect(second.body.details['worker-a'].cachedResponse).toBe(true);
  });

  it('follows runtime loads', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a'] });
    expect(Object.keys((await http().get('/health')).body.details)).toEqual(['worker-a']);
    await booted.manager.loadExtension('worker-b');
    const loaded = await http().get('/health').expect(503);
    expect(loaded.body.error['worker-b']).toEqual({ status: 'down', state: 'loaded', message: "loaded but not started: call manager.startExtension('worker-b')" });
    await booted.manager.startExtension('worker-b');
    await http().get('/health').expect(200);
  });
});

describe('GET /health/live and /health/ready', () => {
  it('live is 200 even when an extension is down; ready is 503', async () => {
    booted = await bootApp({ searchPaths: [workers], extensionConfigs: { 'worker-a': { failIn: 'unhealthy' } } });
    await http().get('/health/live').expect(200, { status: 'ok', info: {}, error: {}, details: {} });
    const ready = await http().get('/health/ready').expect(503);
    expect(ready.body.error['worker-a'].status).toBe('down');
    expect(ready.body.info.extensions).toEqual({ status: 'up', phase: 'serving' });
  });

  it('ready is 503 until every required extension has started', async () => {
    booted = await bootApp({ searchPaths: [workers], autoStart: false });
    const waiting = await http().get('/health/ready').expect(503);
    expect(waiting.body.error['worker-a']).toEqual({ status: 'down', state: 'loaded', message: "loaded but not started: call manager.startExtension('worker-a')" });
    await booted.manager.startAllExtensions();
    await http().get('/health/ready').expect(200);
  });

  it('ready ignores a failed optional (continue) extension', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a', 'worker-b'], extensionOptions: { 'worker-b': { onBootFailure: 'continue' } }, extensionConfigs: { 'worker-b': { failIn: 'setup' } } });
    const ready = await http().get('/health/ready').expect(200);
    expect(Object.keys(ready.body.details)).toEqual(['extensions', 'worker-a']);
  });

  it('ready is 503 from the moment shutdown begins, while the app still serves and before stop() runs', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a'], shutdownDelayMs: 500 });
    const { app, journal } = booted;
    booted = undefined;
    await app.listen(0);
    const url = await app.getUrl();
    await request(url).get('/health/ready').expect(200);
    const closing = app.close();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const response = await request(url).get('/health/ready');
    expect(response.status).toBe(503);
    // The process is alive while it drains: only readiness turns 503, liveness stays 200.
    await request(url).get('/health/live').expect(200, { status: 'ok', info: {}, error: {}, details: {} });
    expect(journal.events).not.toContain('worker-a:stop');
    await closing;
    expect(journal.events).toContain('worker-a:stop');
  });
});

describe('configuring the controllers', () => {
  it('mounts health at another path, or not at all', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a'], healthPath: 'status', introspectionPath: 'api' });
    await http().get('/status/ready').expect(200);
    await http().get('/health').expect(404);
    await http().get('/api/models').expect(200);
    await booted.app.close();
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a'], healthPath: false, introspectionPath: false });
    await http().get('/health').expect(404);
    await http().get('/extensions').expect(404);
  });
});

describe('ExtensionsHealthIndicator in your own controller', () => {
  it('moves keys Terminus reserves under details', async () => {
    booted = await bootApp({ searchPaths: [appFixture('reserved')] });
    const { body } = await http().get('/health').expect(200);
    expect(body.details.reserved).toEqual({
      status: 'up',
      state: 'started',
      healthy: true,
      region: 'eu',
      details: { status: 'green', responseTime: 5 },
      responseTime: expect.any(Number),
    });
  });

  it('can be mounted in an app-owned Terminus controller', async () => {
    @Controller('status')
    class StatusController {
      constructor(
        @Inject(HealthCheckService) private readonly health: HealthCheckService,
        @Inject(ExtensionsHealthIndicator) private readonly extensions: ExtensionsHealthIndicator,
      ) {}

      @Get()
      @HealthCheck()
      check() {
        return this.health.check([() => this.extensions.isHealthy('worker-a')]);
      }
    }
    @Module({ imports: [TerminusModule], controllers: [StatusController] })
    class StatusModule {}
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a'], healthPath: false }, [StatusModule]);
    const { body } = await http().get('/status').expect(200);
    expect(Object.keys(body.details)).toEqual(['worker-a']);
    await http().get('/health').expect(404);
  });
});
