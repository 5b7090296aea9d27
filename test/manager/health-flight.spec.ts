import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ExtensionManager } from '../../src/index.js';
import type { Patient } from '../fixtures/apps/cancel/patient.js';
import { appFixture, bootApp, type BootedApp } from '../support/boot.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('one health path with one timeout, forwarding the abort', () => {
  let booted: BootedApp | undefined;
  afterEach(async () => {
    await booted?.app.close();
    booted = undefined;
  });

  it('passes healthCheck() a signal that aborts at healthTimeoutMs, in getExtensionInfo() too', async () => {
    const manager = new ExtensionManager({ healthTimeoutMs: 150 });
    await manager.discoverExtensions([appFixture('cancel')]);
    await manager.loadExtension('patient', { hangIn: 'health', lateMs: 10 });
    await manager.startExtension('patient');
    const began = performance.now();
    const report = await manager.getExtensionInfo('patient');
    expect(performance.now() - began).toBeLessThan(1000);
    expect(report.health).toEqual({ healthy: false, message: 'healthCheck() did not answer within 150 ms' });
    await sleep(30);
    expect(manager.getInstance<Patient>('patient')!.events).toEqual(['setup', 'start', 'health', 'health:aborted:Error: healthCheck() did not answer within 150 ms', 'health:late']);
  });

  it('keeps at most one healthCheck() running per extension, however many probes come', async () => {
    const manager = new ExtensionManager({ healthTimeoutMs: 200 });
    await manager.discoverExtensions([appFixture('cancel')]);
    // ignoreIn: the check ignores its signal and answers only after 800 ms.
    await manager.loadExtension('patient', { ignoreIn: 'health', lateMs: 800 });
    await manager.startExtension('patient');
    const instance = manager.getInstance<Patient>('patient')!;
    const concurrent = await Promise.all(Array.from({ length: 20 }, () => manager.checkHealth('patient')));
    expect(concurrent.every((h) => h.healthy === false)).toBe(true);
    // Past its limit and still running: later probes are answered at once, and start nothing new.
    const began = performance.now();
    const later = await manager.checkHealth('patient');
    expect(performance.now() - began).toBeLessThan(150); // a new call would wait its full 200 ms
    expect(later.message).toMatch(/^healthCheck\(\) has not answered for \d+ ms; no new check starts until it returns$/);
    expect(instance.events.filter((e) => e === 'health')).toHaveLength(1);
    await sleep(800);
    // Once it returned, the next probe runs a new check.
    await expect(manager.checkHealth('patient')).resolves.toMatchObject({ healthy: false });
    expect(instance.events.filter((e) => e === 'health')).toHaveLength(2);
  });

  it('GET /health goes through the same path: probes against a hanging check do not pile up', async () => {
    booted = await bootApp({ searchPaths: [appFixture('cancel')], healthTimeoutMs: 100, extensionConfigs: { patient: { hangIn: 'health', lateMs: 1000 } } });
    const http = () => request(booted!.app.getHttpServer());
    const first = await http().get('/health').expect(503);
    expect(first.body.error.patient).toMatchObject({ status: 'down', message: 'healthCheck() did not answer within 100 ms' });
    await Promise.all(Array.from({ length: 5 }, () => http().get('/health').expect(503)));
    const instance = booted.manager.getInstance<Patient>('patient')!;
    expect(instance.events.filter((e) => e === 'health')).toHaveLength(1);
    expect(instance.events).toContain('health:aborted:Error: healthCheck() did not answer within 100 ms');
  });
});
