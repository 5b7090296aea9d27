import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { setImmediate as nextTurn } from 'node:timers/promises';
import request from 'supertest';
import { ExtensionManager, ExtensionsHealthIndicator } from '../../src/index.js';
import type { Counted } from '../fixtures/apps/health-turns/counted.js';
import type { LateReader } from '../fixtures/apps/late-signal/late.js';
import { appFixture, bootApp, type BootedApp } from '../support/boot.js';

let booted: BootedApp | undefined;

afterEach(async () => {
  jest.useRealTimers();
  await booted?.app.close();
  booted = undefined;
});

async function boot() {
  booted = await bootApp({ searchPaths: [appFixture('health-turns')] });
  const counted = booted.manager.getInstance<Counted>('counted')!;
  const health = booted.app.get(HealthCheckService, { strict: false });
  const indicator = booted.app.get(ExtensionsHealthIndicator, { strict: false });
  /** One probe as the /health controller makes it. */
  const probe = (): Promise<HealthCheckResult> => health.check(indicator.indicators()).catch((error: { response: HealthCheckResult }) => error.response);
  return { counted, probe, indicator };
}

describe('probes that arrive together share one answer', () => {
  it('runs a check that answers at once once per turn of the event loop, however many probes come in it', async () => {
    const { counted, probe } = await boot();
    const before = counted.checks;
    const together = await Promise.all([probe(), probe(), probe()]);
    expect(counted.checks - before).toBe(1);
    expect(together[1].details).toEqual(together[0].details);
    await nextTurn();
    await probe();
    expect(counted.checks - before).toBe(2);
  });

  it('shares frozen results, so that no probe can change what another one sends', async () => {
    const { probe } = await boot();
    const [first] = await Promise.all([probe(), probe()]);
    expect(Object.isFrozen(first.details.counted)).toBe(true);
  });

  it('shows every change of the answer in the next turn: a detail, a detail changed in place, healthy', async () => {
    const { counted, probe } = await boot();
    expect((await probe()).details.counted).toMatchObject({ status: 'up', mode: 'a', stats: { served: 0 } });
    await nextTurn();
    expect((await probe()).details.counted).toMatchObject({ status: 'up', mode: 'a', stats: { served: 0 } });
    counted.mode = 'b';
    await nextTurn();
    expect((await probe()).details.counted).toMatchObject({ status: 'up', mode: 'b' });
    counted.stats.served = 5;
    await nextTurn();
    expect((await probe()).details.counted).toMatchObject({ status: 'up', stats: { served: 5 } });
    counted.healthy = false;
    await nextTurn();
    const down = await probe();
    expect(down.status).toBe('error');
    expect(down.details.counted).toMatchObject({ status: 'down', healthy: false, mode: 'b' });
    counted.healthy = true;
    await nextTurn();
    expect((await probe()).details.counted).toMatchObject({ status: 'up', healthy: true });
  });

  it('starts afresh within a turn when an extension changes state', async () => {
    const { probe } = await boot();
    expect((await probe()).details.counted).toMatchObject({ status: 'up' });
    // Stopping takes no I/O: the probe after it may well come in the same turn as the one before.
    await booted!.manager.stopExtension('counted');
    expect((await probe()).details.counted).toMatchObject({ status: 'down', state: 'stopped' });
  });

  it("is not held open by a test's fake timers", async () => {
    const { counted, probe } = await boot();
    jest.useFakeTimers();
    const before = counted.checks;
    await probe();
    await nextTurn();
    counted.mode = 'faked';
    const later = await probe();
    expect(counted.checks - before).toBe(2);
    expect(later.details.counted).toMatchObject({ mode: 'faked' });
  });

  it('leaves isHealthy() unshared: each call checks', async () => {
    const { counted, indicator } = await boot();
    const before = counted.checks;
    await Promise.all([indicator.isHealthy('counted'), indicator.isHealthy('counted')]);
    expect(counted.checks - before).toBe(2);
  });

  it('GET /health answers the same way over HTTP', async () => {
    const { counted } = await boot();
    const http = () => request(booted!.app.getHttpServer());
    expect((await http().get('/health').expect(200)).body.details.counted).toMatchObject({ status: 'up', mode: 'a' });
    counted.healthy = false;
    expect((await http().get('/health').expect(503)).body.details.counted).toMatchObject({ status: 'down' });
  });
});

describe('whole probes shared in a turn (the /health controller)', () => {
  it('runs one Terminus check for the probes of one turn, and a new one in the next turn or after a transition', async () => {
    const { indicator } = await boot();
    let runs = 0;
    const probe = () => indicator.shareProbe('test', async () => ++runs);
    expect(await Promise.all([probe(), probe(), probe()])).toEqual([1, 1, 1]);
    await nextTurn();
    expect(await probe()).toBe(2);
    const before = probe();
    await booted!.manager.stopExtension('counted');
    // Stopping takes no I/O: possibly the same turn, but a transition all the same.
    expect([await before, await probe()]).toEqual([2, 3]);
  });

  it('answers every one of many concurrent HTTP probes, a failing one included', async () => {
    const { counted } = await boot();
    const http = () => request(booted!.app.getHttpServer());
    const up = await Promise.all(Array.from({ length: 20 }, () => http().get('/health')));
    expect(up.map((r) => r.status)).toEqual(Array(20).fill(200));
    counted.healthy = false;
    const down = await Promise.all(Array.from({ length: 20 }, () => http().get('/health')));
    expect(down.map((r) => r.status)).toEqual(Array(20).fill(503));
    expect(down.every((r) => r.body.error.counted?.status === 'down')).toBe(true);
    const ready = await Promise.all(Array.from({ length: 5 }, () => http().get('/health/ready')));
    expect(ready.map((r) => r.status)).toEqual(Array(5).fill(503));
  });
});

describe("the check's signal, made when first read", () => {
  it('is aborted already when a check reads it first after the deadline', async () => {
    const manager = new ExtensionManager({ healthTimeoutMs: 50 });
    await manager.discoverExtensions([appFixture('late-signal')]);
    await manager.loadExtension('late-reader');
    await manager.startExtension('late-reader');
    await expect(manager.checkHealth('late-reader')).resolves.toEqual({ healthy: false, message: 'healthCheck() did not answer within 50 ms' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(manager.getInstance<LateReader>('late-reader')!.seen).toEqual(['aborted=true Error: healthCheck() did not answer within 50 ms']);
    await manager.stopAllExtensions();
  });
});
