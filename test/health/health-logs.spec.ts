import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { appFixture, bootApp, type BootedApp } from '../support/boot.js';

/*
 * What failing probes log: one short line when an extension goes down, one when it is up again, and
 * nothing on the probes in between (a probe every few seconds would otherwise flood the log), never
 * Terminus's JSON dump of the whole answer.
 */

const workers = appFixture('workers');
let booted: BootedApp | undefined;

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
});

const http = () => request(booted!.app.getHttpServer());
const healthLines = () => booted!.logs.lines.filter((l) => /health/i.test(l) && !/Mapped|HealthController {/.test(l));

describe('health logs', () => {
  it('logs one line when an extension goes down, nothing on the probes while it stays down, one when it is up again', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a'] });
    await http().get('/health').expect(200);
    expect(healthLines()).toEqual([]);
    await booted.manager.loadExtension('worker-b');
    for (let i = 0; i < 5; i++) await http().get('/health').expect(503);
    await booted.manager.startExtension('worker-b');
    for (let i = 0; i < 3; i++) await http().get('/health').expect(200);
    expect(healthLines()).toEqual([
      `warn: Health: extension "worker-b" is down: loaded but not started: call manager.startExtension('worker-b')`,
      'log: Health: extension "worker-b" is up again',
    ]);
  });

  it('a healthCheck() that throws on every probe is one line with its message, secrets masked, no JSON, no stack', async () => {
    booted = await bootApp({ searchPaths: [workers], extensions: ['worker-a', 'worker-b'], extensionConfigs: { 'worker-a': { failIn: 'health' } } });
    for (let i = 0; i < 4; i++) {
      await http().get('/health').expect(503);
      await http().get('/health/ready').expect(503);
    }
    expect(healthLines()).toEqual(['warn: Health: extension "worker-a" is down: health broke while using key ***']);
    expect(booted.logs.text).not.toContain('Health Check has failed');
    expect(booted.logs.text).not.toContain('sk-worker-default-key');
  });
});
