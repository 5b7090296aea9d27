import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createExtensionSummaryReport, ExtensionConfigError, ExtensionManager } from '../../src/index.js';
import { appFixture, bootApp, type BootedApp } from '../support/boot.js';

const SENTINEL = 'sk-SENTINEL-5f3a9c0d7e';
const KEYRING = {
  tokenPool: ['tok-ALPHA-91c2', 'tok-BRAVO-44d7', 'tok-CHARLIE-e0f1'],
  authHeaders: { Authorization: 'Bearer hdr-SECRET-77aa', nested: { inner: 'deep-SECRET-31bb', serial: 987654 } },
  pin: 4242424,
};
const KEYRING_SECRETS = [...KEYRING.tokenPool, 'hdr-SECRET-77aa', 'deep-SECRET-31bb', '987654', '4242424'];
let booted: BootedApp | undefined;

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
  delete process.env.VAULT_PIN;
});

describe('secrets never show up in any output', () => {
  it('is masked in errors, logs, health, reports and introspection', async () => {
    booted = await bootApp({
      searchPaths: [appFixture('workers')],
      onBootFailure: 'continue',
      extensionConfigs: {
        'worker-a': { apiKey: SENTINEL, failIn: 'setup' },
        'worker-b': { apiKey: SENTINEL, failIn: 'stop' },
        'worker-c': { apiKey: SENTINEL },
      },
    });
    await booted.manager.loadExtension('worker-a', { apiKey: SENTINEL });
    await booted.manager.startExtension('worker-a');
    const server = booted.app.getHttpServer();
    const outputs: string[] = [
      JSON.stringify((await request(server).get('/health')).body),
      JSON.stringify((await request(server).get('/health/ready')).body),
      JSON.stringify((await request(server).get('/extensions')).body),
      JSON.stringify((await request(server).get('/extensions/worker-a')).body),
      JSON.stringify((await request(server).get('/extensions/worker-b')).body),
      JSON.stringify(booted.manager.getSummary()),
      JSON.stringify(booted.manager.listAvailable()),
      JSON.stringify(await booted.manager.getExtensionInfo('worker-c')),
      await createExtensionSummaryReport(booted.manager),
    ];
    const { app, logs } = booted;
    booted = undefined;
    await app.close();
    outputs.push(logs.text);
    expect(logs.text).toContain('failed in setup(): setup broke while using key ***');
    expect(logs.text).toContain('failed in stop(): stop broke while using key ***');
    expect(outputs[3]).toContain('"apiKey":"***"');
    for (const output of outputs) expect(output).not.toContain(SENTINEL);
  });

  it('says a secret is invalid without echoing it', async () => {
    const manager = new ExtensionManager();
    await manager.discoverExtensions([appFixture('secrets')]);
    process.env.VAULT_PIN = `${SENTINEL}-not-a-number`;
    const error = (await manager.loadExtension('vault', { token: SENTINEL, level: SENTINEL }).catch((e) => e)) as ExtensionConfigError;
    expect(error).toBeInstanceOf(ExtensionConfigError);
    expect(error.issues).toEqual([
      { field: 'pin', message: 'must be an integer (e.g. 42) (from environment variable VAULT_PIN)' },
      { field: 'token', message: 'must match the pattern /^tok-/' },
      { field: 'level', message: 'must be one of the allowed values' },
    ]);
    expect(JSON.stringify(error)).not.toContain(SENTINEL);
    expect(error.message).not.toContain(SENTINEL);
    expect(error.stack).not.toContain(SENTINEL);
  });

  it('scrubs every string of a secret list or object, and secret numbers, from errors, health, info and logs', async () => {
    booted = await bootApp({
      searchPaths: [appFixture('keyring')],
      onBootFailure: 'continue',
      extensionConfigs: { keyring: { ...KEYRING, failIn: 'start' } },
    });
    const { manager } = booted;
    const failed = await manager.getExtensionInfo('keyring');
    expect(failed.error?.message).toContain('start failed: rejected ***, headers ***, inner ***, pin ***, serial ***');
    await manager.unloadExtension('keyring');
    await manager.loadExtension('keyring', { ...KEYRING, failIn: 'start' });
    const error = (await manager.startExtension('keyring').catch((e) => e)) as Error;
    expect(error.message).toContain('inner ***, pin ***, serial ***');
    await manager.unloadExtension('keyring');
    await manager.loadExtension('keyring', KEYRING);
    await manager.startExtension('keyring');
    const info = await manager.getExtensionInfo('keyring');
    expect(info.health).toMatchObject({ healthy: true, inUse: '***', pool: ['***', '***', '***'], note: 'pool ***+***+***, pin ***' });
    const server = booted.app.getHttpServer();
    const outputs: string[] = [
      JSON.stringify(failed),
      error.message,
      String(error.stack),
      String((error.cause as Error | undefined)?.stack),
      JSON.stringify(info),
      JSON.stringify((await request(server).get('/health')).body),
      JSON.stringify((await request(server).get('/extensions/keyring')).body),
    ];
    const { app, logs } = booted;
    booted = undefined;
    await app.close();
    expect(logs.text).toContain('start failed: rejected ***');
    outputs.push(logs.text);
    for (const output of outputs) for (const secret of KEYRING_SECRETS) expect([secret, output.includes(secret)]).toEqual([secret, false]);
  });
});
