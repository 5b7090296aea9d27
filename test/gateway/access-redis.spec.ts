import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ACCESS_CONTROL, type AccessControl } from '../../src/gateway/access/access-control.js';
import { ExtensionsModule, OpenAiGatewayModule, SHIPPED_EXTENSIONS } from '../../src/index.js';
import { LogCollector } from '../support/boot.js';
import { freePort, RedisServer } from '../support/redis-server.js';
import { ALICE, BOB, FIVE_WORDS, keyedGateway, keysFile } from './access-support.js';

/*
 * Limits shared across replicas: a real redis-server (spawned here, on a free port, files in a temp
 * folder), two gateway apps counting in it. Without redis-server installed this fails, saying how to
 * install it.
 */

const CAROL = 'sk-carol-61d0b2a9e84c7f35';

type Gateway = Awaited<ReturnType<typeof keyedGateway>>;
let redis: RedisServer;
const gateways: Gateway[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
});

afterAll(async () => {
  // In reverse: each restores the environment the one before it saw.
  for (const gateway of gateways.reverse()) await gateway.close();
  await redis?.remove();
});

const accessOf = (gateway: Gateway) => gateway.app.get<AccessControl>(ACCESS_CONTROL);

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `count` chat requests at once with `key`, spread over the gateways in turn; the statuses per gateway. */
async function burst(targets: Gateway[], key: string, count: number): Promise<number[][]> {
  const statuses: number[][] = targets.map(() => []);
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const at = i % targets.length;
      const response = await fetch(`${targets[at].url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(FIVE_WORDS()),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      statuses[at].push(response.status);
    }),
  );
  return statuses;
}

const ok = (statuses: number[]) => statuses.filter((status) => status === 200).length;
const lines = (text: string) => gateways.flatMap((g) => g.logs.lines).filter((line) => line.includes(text));

describe('limits shared across replicas through Redis', () => {
  it('holds one key’s limit across two gateways under concurrent load, counts per replica while Redis is down, and shares again when it returns', async () => {
    // A Redis time limit of 2 s: 100 requests at once on a busy test machine delay the event loop, and
    // with it each reply as the client sees it, past the default 500 ms.
    const file = keysFile(`redisTimeoutMs: 2000\ndefaults: { rpm: 60 }\nkeys:\n  - { name: shared, key: ${ALICE} }\n  - { name: later, key: ${BOB} }\n  - { name: spare, key: ${CAROL} }\n`);
    const env = { GATEWAY_KEYS_FILE: file, REDIS_URL: redis.url };
    gateways.push(await keyedGateway(env), await keyedGateway(env));
    const [a, b] = gateways;
    await until('both gateways count in Redis', () => accessOf(a).counters.shared && accessOf(b).counters.shared);

    // 100 requests at once, half on each replica, one key with 60 RPM: exactly 60 pass, wherever they land.
    const [onA, onB] = await burst(gateways, ALICE, 100);
    expect([...onA, ...onB].every((status) => status === 200 || status === 429)).toBe(true);
    expect(ok(onA) + ok(onB)).toBe(60);
    expect(ok(onA)).toBeGreaterThan(0);
    expect(ok(onB)).toBeGreaterThan(0);

    // Redis goes away. The documented fallback: serve on, each replica enforcing each limit on its own.
    await redis.stop();
    const started = Date.now();
    const [downA, downB] = await burst(gateways, BOB, 200);
    // No request waited for the dead Redis: commands fail at once while it is disconnected (each fetch would give up at 10 s).
    expect(Date.now() - started).toBeLessThan(8000);
    expect([ok(downA), ok(downB)]).toEqual([60, 60]);
    expect(downA.length + downB.length - ok(downA) - ok(downB)).toBe(80);
    // A replica remembers what it admitted itself while Redis decided: for the first key, what is left of its share.
    const [aliceOnA] = await burst([a], ALICE, 70);
    expect(ok(aliceOnA)).toBe(60 - ok(onA));
    // Logged once per replica, however many requests came.
    expect(lines('does not answer')).toHaveLength(2);
    expect(lines('does not answer')[0]).toMatch(/Redis at 127\.0\.0\.1:\d+ does not answer \(.+\): each replica counts limits on its own until it does/);

    // Redis returns (empty: no persistence). Both replicas notice, say so once, and share counters again.
    await redis.start();
    await until('both gateways count in Redis again', () => accessOf(a).counters.shared && accessOf(b).counters.shared);
    expect(lines('answers again')).toHaveLength(2);
    // In memory both replicas are at 60 for this key; Redis is at 0, so 60 pass again, shared.
    const [againA, againB] = await burst(gateways, BOB, 100);
    expect(ok(againA) + ok(againB)).toBe(60);
  }, 60_000);

  it('does not let a hung Redis hold requests: past its time limit a replica counts alone, and shares again once it answers', async () => {
    const [a] = gateways;
    await until('the gateway counts in Redis', () => accessOf(a).counters.shared);
    const before = lines('does not answer').length;
    redis.pause();
    try {
      // Redis takes the connection's commands and never answers. The first request waits the Redis time
      // limit (2 s here), then this replica counts alone and serves; the rest do not wait at all.
      let started = Date.now();
      const [served] = await burst([a], CAROL, 1);
      expect(served).toEqual([200]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
      expect(Date.now() - started).toBeLessThan(8000);
      started = Date.now();
      const [more] = await burst([a], CAROL, 10);
      expect(more).toEqual(Array(10).fill(200));
      expect(Date.now() - started).toBeLessThan(1900);
      expect(accessOf(a).counters.shared).toBe(false);
      expect(lines('does not answer').slice(before).join('\n')).toContain('Command timed out');
    } finally {
      redis.resume();
    }
    await until('the gateway counts in Redis again', () => accessOf(a).counters.shared);
  }, 30_000);

  it('refuses with 503 while Redis cannot be reached when the module options say onRedisDown: refuse', async () => {
    const logs = new LogCollector();
    const nothing = `redis://:a-password@127.0.0.1:${await freePort()}`;
    const moduleRef = await Test.createTestingModule({
      imports: [
        ExtensionsModule.forRoot({ searchPaths: [SHIPPED_EXTENSIONS], extensions: ['mock'], introspectionPath: false }),
        OpenAiGatewayModule.register({ access: { keys: [{ name: 'lib', key: ALICE }], defaults: { rpm: 5 }, redisUrl: nothing, onRedisDown: 'refuse' } }),
      ],
    })
      .setLogger(logs)
      .compile();
    const app = moduleRef.createNestApplication({ logger: logs });
    await app.init();
    try {
      const http = request(app.getHttpServer());
      for (let i = 0; i < 3; i++) {
        const refused = await http.post('/v1/chat/completions').set('authorization', `Bearer ${ALICE}`).send(FIVE_WORDS()).expect(503);
        expect(refused.body.error).toMatchObject({ type: 'server_error', code: 'limits_unavailable' });
      }
      await http.post('/v1/chat/completions').send(FIVE_WORDS()).expect(401);
      const warned = logs.lines.filter((line) => line.includes('does not answer'));
      expect(warned).toHaveLength(1);
      expect(warned[0]).toContain('requests that need a key are refused (503)');
      expect(logs.text).not.toContain('a-password');
    } finally {
      await app.close();
    }
  });
});
