import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { discover, ExtensionError, ExtensionLifecycleError, ExtensionManager, ExtensionValidationError } from '../../src/index.js';
import { appFixture, bootApp, type BootedApp } from '../support/boot.js';

const KEY = 'sk-hostile-sentinel-key';
const SHAPE = 'healthCheck() must return { healthy: boolean }';

async function hostile(config: Record<string, unknown>): Promise<ExtensionManager> {
  const manager = new ExtensionManager();
  await manager.discoverExtensions([appFixture('hostile')]);
  await manager.loadExtension('hostile', config);
  await manager.startExtension('hostile');
  return manager;
}

describe('health fails closed', () => {
  it.each([
    ['empty', `${SHAPE}; healthy is a undefined`],
    ['ok', `${SHAPE}; it returned the string "ok"`],
    ['string-false', `${SHAPE}; healthy is the string "false"`],
  ])('answers %s as down, saying what the shape must be', async (answer, message) => {
    const manager = await hostile({ answer });
    await expect(manager.checkHealth('hostile')).resolves.toEqual({ healthy: false, message });
  });
});

describe('health details that are not JSON make that one extension down, never a 500 for all', () => {
  let booted: BootedApp | undefined;
  afterEach(async () => {
    await booted?.app.close();
    booted = undefined;
  });

  it.each([
    ['bigint', 'healthCheck() returned details that cannot be sent as JSON: a BigInt at details.tokens'],
    ['cycle', 'healthCheck() returned details that cannot be sent as JSON: a cycle at details.self'],
    ['throwing-tojson', 'healthCheck() returned details that cannot be sent as JSON: toJSON() threw at details.when: toJSON broke with ***'],
    ['deep', 'healthCheck() returned details that cannot be sent as JSON: nesting deeper than 20 levels at details.tree.next.next.next.next.next.next.next.next.next.next.next.next.next.next.next.next.next.next.next'],
    ['getter-throws', 'healthCheck() returned details that cannot be sent as JSON: reading it threw: getter broke'],
  ])('%s', async (answer, message) => {
    booted = await bootApp({ searchPaths: [appFixture('hostile')], extensionConfigs: { hostile: { answer } } });
    const { body } = await request(booted.app.getHttpServer()).get('/health').expect(503);
    expect(body.error.hostile).toMatchObject({ status: 'down', healthy: false, message });
    expect(body.info.neighbour).toMatchObject({ status: 'up' });
    expect(JSON.stringify(body)).not.toContain(KEY);
  });

  it('keeps a Date (toJSON) as its text, and masks a secret used as a key or echoed in a value', async () => {
    expect(await (await hostile({ answer: 'date' })).checkHealth('hostile')).toEqual({ healthy: true, checkedAt: '1970-01-01T00:00:00.000Z' });
    expect(await (await hostile({ answer: 'secret-key' })).checkHealth('hostile')).toEqual({ healthy: true, '***': 'used as a key', echoed: 'key is ***' });
  });
});

describe('whatever extension code throws becomes a typed error', () => {
  it.each([
    ['message-getter', 'a thrown value that could not be read (reading its message threw)'],
    ['null-proto', 'a thrown Object without a message'],
    ['proxy', 'a thrown value that could not be read (reading its message threw)'],
    ['revoked-proxy', 'a thrown value that could not be read (reading its message threw)'],
    ['symbol', 'Symbol(odd)'],
    ['undefined', 'undefined'],
  ])('a thrown %s', async (throwWhat, reason) => {
    const manager = new ExtensionManager();
    await manager.discoverExtensions([appFixture('hostile')]);
    await manager.loadExtension('hostile', { throwWhat });
    const error = await manager.startExtension('hostile').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtensionLifecycleError);
    expect(error).toMatchObject({ code: 'EXT_ERR_LIFECYCLE', extensionName: 'hostile', message: `Extension "hostile" failed in start(): ${reason}` });
    expect(manager.getState('hostile')).toBe('failed');
  });

  it('scrubs an ExtensionError that extension code throws itself: message, stack and cause', async () => {
    const manager = new ExtensionManager();
    await manager.discoverExtensions([appFixture('hostile')]);
    await manager.loadExtension('hostile', { throwWhat: 'extension-error' });
    const error = (await manager.startExtension('hostile').catch((e: unknown) => e)) as ExtensionError;
    expect(error.message).toBe('provider refused key ***');
    expect(error.stack).not.toContain(KEY);
    expect(String((error.cause as Error).message)).toBe('cause with ***');
    expect((await manager.getExtensionInfo('hostile')).error?.message).toBe('provider refused key ***');
  });
});

describe('an extension name that is a reserved health key', () => {
  it('is refused for decorators and manifests alike', async () => {
    const { problems, definitions } = await discover([appFixture('reserved-name')]);
    expect(definitions).toEqual([]);
    expect(problems).toHaveLength(2);
    for (const problem of problems) {
      expect(problem).toBeInstanceOf(ExtensionValidationError);
      expect((problem as ExtensionValidationError).issues).toContainEqual({
        field: 'name',
        message: '"extensions" is reserved (it is the readiness key of /health/ready); choose another name',
      });
    }
  });
});

describe('flat answers without secrets (the fast copy) say what the full check says', () => {
  let booted: BootedApp | undefined;
  afterEach(async () => {
    await booted?.app.close();
    booted = undefined;
  });

  /** The /health answer for `flat` when it answers `answer`, parsed (so an own __proto__ stays a key). */
  const flat = async (answer: string, status: number) => {
    await booted?.app.close();
    booted = await bootApp({ searchPaths: [appFixture('flat-health')], extensionConfigs: { flat: { answer } } });
    const { text } = await request(booted.app.getHttpServer()).get('/health').expect(status);
    const body = JSON.parse(text);
    return (status === 200 ? body.info : body.error).flat as Record<string, unknown>;
  };

  it('copies booleans, numbers and strings as they are', async () => {
    expect(await flat('', 200)).toEqual({ status: 'up', state: 'started', healthy: true, served: 3, region: 'eu', responseTime: expect.any(Number) });
  });

  it('a getter that throws makes the extension down, naming why', async () => {
    expect(await flat('getter-throws', 503)).toMatchObject({ status: 'down', message: 'healthCheck() returned details that cannot be sent as JSON: reading it threw: getter broke' });
  });

  it('NaN is null, an own __proto__ detail stays a detail, reserved keys move under details, inherited keys are not read', async () => {
    expect(await flat('nan', 200)).toMatchObject({ healthy: true, ratio: null, label: 'x' });
    const proto = await flat('proto-key', 200);
    expect(Object.hasOwn(proto, '__proto__') && proto['__proto__']).toBe('kept');
    expect(await flat('reserved', 200)).toMatchObject({ healthy: true, status: 'up', details: { status: 'mine', responseTime: 7 } });
    const inherited = await flat('inherited', 200);
    expect(inherited).toMatchObject({ healthy: true, own: 1 });
    expect(inherited).not.toHaveProperty('inherited');
  });
});
