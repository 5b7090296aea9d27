import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import request from 'supertest';
import { AppModule } from '../../src/app/app.module.js';
import { ALICE, ACCESS_UNSET, BOB, bearer, keyedGateway, keysFile } from './access-support.js';
import { readStream } from './support.js';

/*
 * API keys on the gateway app: who may call, which models, how often. The app as `npm start` builds
 * it, over the mock, driven over HTTP (supertest) and with the official openai client.
 */

let gateway: Awaited<ReturnType<typeof keyedGateway>> | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function open(env: Record<string, string>) {
  gateway = await keyedGateway(env);
  return { http: request(gateway.url), gateway };
}

const hello = (model = 'mock') => ({ model, messages: [{ role: 'user' as const, content: 'hello' }] });

describe('API keys', () => {
  it('answers no key and a wrong key with 401 in OpenAI format, a right key with the answer; health stays open', async () => {
    const { http, gateway } = await open({ GATEWAY_API_KEYS: `alice=${ALICE},${BOB}` });
    const none = await http.post('/v1/chat/completions').send(hello()).expect(401);
    expect(none.body).toEqual({ error: { message: expect.stringContaining('No API key was sent'), type: 'authentication_error', param: null, code: 'missing_api_key' } });
    expect(none.headers['www-authenticate']).toBe('Bearer');
    for (const authorization of [`Bearer ${ALICE}x`, `Bearer ${ALICE.slice(0, -1)}`, `Basic ${ALICE}`, ALICE, 'Bearer ', `Bearer ${'k'.repeat(5000)}`]) {
      const wrong = await http.post('/v1/chat/completions').set('authorization', authorization).send(hello()).expect(401);
      expect(wrong.body.error.code).toBe(authorization.trim() ? 'invalid_api_key' : 'missing_api_key');
    }
    await http.get('/v1/models').expect(401);
    const right = await http.post('/v1/chat/completions').set(bearer(ALICE)).send(hello()).expect(200);
    expect(right.body.choices[0].message.content).toBe('hello');
    await http.post('/v1/chat/completions').set('authorization', `bearer  ${BOB}`).send(hello()).expect(200);
    await http.get('/v1/models').set(bearer(BOB)).expect(200);
    // Probes carry no key; introspection does once keys are configured (in any letter case).
    await http.get('/health/live').expect(200);
    await http.get('/health/ready').expect(200);
    await http.get('/health').expect(200);
    await http.get('/extensions').expect(401);
    await http.get('/EXTENSIONS').expect(401);
    await http.get('/models?x=1').expect(401);
    await http.get('/extensions').set(bearer(BOB)).expect(200);

    // The official client: a wrong key is its AuthenticationError; the right one answers, plain and streamed.
    const wrongClient = new OpenAI({ apiKey: 'sk-not-a-key-of-this-gateway', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    await expect(wrongClient.chat.completions.create(hello())).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const client = new OpenAI({ apiKey: ALICE, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    expect((await client.chat.completions.create(hello())).choices[0].message.content).toBe('hello');
    expect((await readStream(await client.chat.completions.create({ ...hello(), stream: true }))).text).toBe('hello');

    // The keys never show; the boot line names them by name or short hash.
    const bobHash = createHash('sha256').update(BOB).digest('hex').slice(0, 8);
    expect(gateway.logs.text).toContain(`2 API keys (alice, key-${bobHash})`);
    expect(gateway.logs.text).not.toContain(ALICE);
    expect(gateway.logs.text).not.toContain(BOB);
  });

  it('stays open without keys, saying so in one warning at boot', async () => {
    const { http, gateway } = await open({});
    await http.post('/v1/chat/completions').send(hello()).expect(200);
    await http.get('/extensions').expect(200);
    expect(gateway.logs.lines.filter((line) => line.includes('No API keys configured'))).toHaveLength(1);
  });

  it('refuses to start without keys when NODE_ENV=production, unless GATEWAY_ALLOW_ANONYMOUS=true', async () => {
    const env = { ...process.env, ...ACCESS_UNSET, NODE_ENV: 'production' };
    await expect(AppModule.register(env)).rejects.toThrow(/no API keys and NODE_ENV is production.*GATEWAY_API_KEYS.*GATEWAY_ALLOW_ANONYMOUS=true/s);
    await expect(AppModule.register({ ...env, GATEWAY_ALLOW_ANONYMOUS: 'true' })).resolves.toBeDefined();
    await expect(AppModule.register({ ...env, GATEWAY_API_KEYS: ALICE })).resolves.toBeDefined();
    await expect(AppModule.register({ ...env, GATEWAY_ALLOW_ANONYMOUS: 'yes' })).rejects.toThrow('GATEWAY_ALLOW_ANONYMOUS must be true or false');
  });

  it('names the file and each field of a keys file with problems, never showing a key', async () => {
    const file = keysFile(
      [
        'defaults:',
        '  rpm: fast',
        'keys:',
        `  - { name: alice, key: ${ALICE}, rmp: 5 }`,
        '  - { name: alice, tpm: 0 }',
        `  - { key: tiny1 }`,
        `  - { key: ${ALICE} }`,
        '  - { name: "bad name", sha256: abc, dailyBudgetUsd: -1, models: [""] }',
        'redisUrl: http://redis',
      ].join('\n'),
    );
    const failure = AppModule.register({ ...process.env, ...ACCESS_UNSET, GATEWAY_KEYS_FILE: file });
    await expect(failure).rejects.toThrow(`Invalid gateway access settings in GATEWAY_KEYS_FILE ${file}`);
    const message = ((await failure.catch((error: Error) => error)) as Error).message;
    for (const said of [
      'defaults.rpm: rpm must be an integer number',
      'keys[0].rmp: is not a known setting. Did you mean "rpm"?',
      'keys[1].key: is required (or sha256',
      'keys[1].tpm: tpm must not be less than 1',
      'keys[1].name: "alice" names an earlier key too',
      'keys[2].key: key must be at least 16 characters',
      'keys[3]: is the same key as an earlier entry',
      'keys[4].name: name must be 1 to 64 letters',
      'keys[4].sha256: sha256 must be 64 hex digits',
      'keys[4].dailyBudgetUsd: dailyBudgetUsd must not be less than 0',
      'keys[4].models: each value in models should not be empty',
      'redisUrl: redisUrl must start with redis:// or rediss://',
    ]) {
      expect(message).toContain(said);
    }
    expect(message).not.toContain(ALICE);
    expect(message).not.toContain('tiny1');

    const broken = keysFile(`keys:\n  - key: ${ALICE}\n    rpm: [1,\n`);
    await expect(AppModule.register({ ...process.env, ...ACCESS_UNSET, GATEWAY_KEYS_FILE: broken })).rejects.toThrow(new RegExp(`${broken}.*\\n  - line \\d+, column \\d+: YAML syntax error`));
    const listed = AppModule.register({ ...process.env, ...ACCESS_UNSET, GATEWAY_API_KEYS: `${ALICE},tiny-key` });
    await expect(listed).rejects.toThrow('GATEWAY_API_KEYS (comma-separated keys or name=key pairs) (1 problem):\n  - entry 2.key: key must be at least 16 characters');
    await expect(listed.catch((error: Error) => error.message)).resolves.not.toContain('tiny-key');
    await expect(AppModule.register({ ...process.env, ...ACCESS_UNSET, GATEWAY_KEYS_FILE: `${file}.missing` })).rejects.toThrow('(file): cannot be read (ENOENT)');
  });

  it('takes keys by their SHA-256 from a JSON keys file', async () => {
    const file = keysFile(JSON.stringify({ keys: [{ name: 'hashed', sha256: createHash('sha256').update(ALICE).digest('hex') }] }), 'keys.json');
    const { http } = await open({ GATEWAY_KEYS_FILE: file });
    await http.post('/v1/chat/completions').set(bearer(ALICE)).send(hello()).expect(200);
    await http.post('/v1/chat/completions').set(bearer(BOB)).send(hello()).expect(401);
  });
});

describe('models per key', () => {
  const file = () =>
    keysFile(`keys:\n  - { name: chat-only, key: ${ALICE}, models: [mock-chat] }\n  - { name: embed-only, key: ${BOB}, models: ["mock-e*"] }\n`);

  it('lets a key reach only its models, by name, alias or extension:model, and lists only those', async () => {
    const { http } = await open({ GATEWAY_KEYS_FILE: file() });
    for (const model of ['mock', 'mock-chat', 'mock:mock-chat']) await http.post('/v1/chat/completions').set(bearer(ALICE)).send(hello(model)).expect(200);
    const refused = await http.post('/v1/embeddings').set(bearer(ALICE)).send({ model: 'mock-embed', input: 'x' }).expect(403);
    expect(refused.body).toEqual({ error: { message: 'Key "chat-only" may not use model "mock-embed". It may use: mock-chat.', type: 'permission_error', param: 'model', code: 'model_not_allowed' } });
    const fallback = await http.post('/v1/chat/completions').set(bearer(ALICE)).send({ ...hello(), fallbacks: ['mock-chat', 'mock:mock-embed'] }).expect(403);
    expect(fallback.body.error).toMatchObject({ param: 'fallbacks[1]', code: 'model_not_allowed' });
    expect((await http.get('/v1/models').set(bearer(ALICE)).expect(200)).body.data.map((m: { id: string }) => m.id)).toEqual(['mock-chat', 'mock']);
    await http.get('/v1/models/mock-embed').set(bearer(ALICE)).expect(403);

    await http.post('/v1/embeddings').set(bearer(BOB)).send({ model: 'mock-embed', input: 'x' }).expect(200);
    await http.post('/v1/chat/completions').set(bearer(BOB)).send(hello('mock')).expect(403);
    expect((await http.get('/v1/models').set(bearer(BOB)).expect(200)).body.data.map((m: { id: string }) => m.id)).toEqual(['mock-embed']);
  });
});

describe('requests per minute', () => {
  it('refuses the request past GATEWAY_RATE_LIMIT_RPM with 429, Retry-After and x-ratelimit-* headers, per key', async () => {
    const file = keysFile(`keys:\n  - { name: alice, key: ${ALICE} }\n  - { name: unlimited, key: ${BOB}, rpm: null }\n`);
    const { http, gateway } = await open({ GATEWAY_KEYS_FILE: file, GATEWAY_RATE_LIMIT_RPM: '3' });
    for (const remaining of ['2', '1', '0']) {
      const ok = await http.post('/v1/chat/completions').set(bearer(ALICE)).send(hello()).expect(200);
      expect(ok.headers).toMatchObject({ 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': remaining });
      expect(ok.headers['x-ratelimit-reset-requests']).toMatch(/^(1m0s|\d{1,2}(\.\d+)?s)$/);
    }
    const over = await http.post('/v1/chat/completions').set(bearer(ALICE)).send(hello()).expect(429);
    expect(over.body).toEqual({ error: { message: expect.stringMatching(/^Rate limit reached for key "alice" on requests per minute \(RPM\): limit 3, used 3\. Try again in [\d.]+s\.$/), type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(55);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(over.headers['x-ratelimit-remaining-requests']).toBe('0');
    // Listing models is not a model call: it does not count, and is not refused.
    await http.get('/v1/models').set(bearer(ALICE)).expect(200);
    // The official client raises its RateLimitError.
    const client = new OpenAI({ apiKey: ALICE, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    await expect(client.chat.completions.create({ ...hello(), stream: true })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    // Another key counts on its own; `rpm: null` lifts the default.
    for (let i = 0; i < 6; i++) {
      const ok = await http.post('/v1/chat/completions').set(bearer(BOB)).send(hello()).expect(200);
      expect(ok.headers['x-ratelimit-limit-requests']).toBeUndefined();
    }
  });
});
