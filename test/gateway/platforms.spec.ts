import { afterEach, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import request from 'supertest';
import { ModelRouter } from '../../src/index.js';
import { bodyLimitBytes } from '../../src/gateway/configure-app.js';
import { readStream, startGateway, type Platform } from './support.js';

/*
 * The gateway app on both HTTP platforms, over real HTTP with the official openai client: the same
 * assertions on Express and on Fastify (answers, SSE streams, OpenAI's error format for what fails
 * before the controller, the body limit, JSON only, a client that leaves aborting its call).
 */

let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const QUIET = { MOCK_FAIL_RATE: '0', MOCK_HANG: 'false', MOCK_CUT_AFTER_TOKENS: '', MOCK_STALL_AFTER_TOKENS: '', MOCK_TOKEN_DELAY_MS: '', GLEITZEIT_BODY_LIMIT: '', GLEITZEIT_TIMEOUT_MS: '' };
const hello = (extra: Record<string, unknown> = {}) => ({ model: 'mock', messages: [{ role: 'user', content: 'hello' }], ...extra });

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe.each<Platform>(['express', 'fastify'])('the gateway on %s', (platform) => {
  const start = async (env: Record<string, string> = {}) => {
    gateway = await startGateway({ GLEITZEIT_EXTENSIONS: 'mock', GLEITZEIT_RESILIENCE: '{"retries":0,"breaker":false}', ...QUIET, ...env }, platform);
    return { http: request(gateway.url), client: gateway.client };
  };

  it('answers chat completions as JSON and as Server-Sent Events, with the accounting headers', async () => {
    const { http, client } = await start();
    const plain = await http.post('/v1/chat/completions').send(hello()).expect(200);
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(plain.headers['x-gleitzeit-extension']).toBe('mock');
    expect(plain.body).toMatchObject({ object: 'chat.completion', model: 'mock-chat', choices: [{ message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }] });
    const raw = await http.post('/v1/chat/completions').send(hello({ stream: true, messages: [{ role: 'user', content: 'one two' }] })).expect(200);
    expect(raw.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(raw.headers['x-gleitzeit-attempts']).toBe('mock/mock-chat=1');
    expect(raw.text.endsWith('data: [DONE]\n\n')).toBe(true);
    const stream = await client.chat.completions.create({ ...hello({ messages: [{ role: 'user', content: 'one two three' }] }), stream: true, stream_options: { include_usage: true } } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
    const read = await readStream(stream);
    expect([read.text, read.finish, read.usage?.completion_tokens]).toEqual(['one two three', 'stop', 3]);
    expect((await client.models.list()).data.map((m) => m.id)).toContain('mock');
    expect((await client.embeddings.create({ model: 'mock-embed', input: ['a', 'b'] })).data).toHaveLength(2);
  });

  it("answers every error in OpenAI's format: an unknown model, broken JSON, an unknown path under /v1; other paths keep Nest's", async () => {
    const { http, client } = await start();
    const unknown = (await client.chat.completions.create(hello({ model: 'mokc' }) as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown.error).toMatchObject({ type: 'not_found_error', param: 'model', code: 'EXT_ERR_MODEL_NOT_FOUND', close_matches: ['mock'] });
    const broken = await http.post('/v1/chat/completions').set('content-type', 'application/json').send('{"model": "mock",').expect(400);
    expect(broken.body).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: null } });
    const invalid = await http.post('/v1/chat/completions').send({ model: 'mock', messages: [] }).expect(400);
    expect(invalid.body.error).toMatchObject({ param: 'messages', type: 'invalid_request_error' });
    const path = await http.get('/v1/nowhere').expect(404);
    expect(path.body).toEqual({ error: { message: 'Cannot GET /v1/nowhere', type: 'not_found_error', param: null, code: null } });
    const outside = await http.get('/nowhere').expect(404);
    expect(outside.body).toMatchObject({ statusCode: 404, message: 'Cannot GET /nowhere' });
  });

  it('takes JSON bodies up to GLEITZEIT_BODY_LIMIT (413 past it, in OpenAI format) and nothing else', async () => {
    const { http } = await start({ GLEITZEIT_BODY_LIMIT: '3mb' });
    // Over Fastify's own default of 1 MiB and Express's of 100 kB, under the limit set.
    const large = 'x'.repeat(2 * 1024 * 1024);
    const answered = await http.post('/v1/chat/completions').send(hello({ messages: [{ role: 'user', content: `${large} end` }] })).expect(200);
    expect(answered.body.choices[0].message.content.endsWith(' end')).toBe(true);
    const tooLarge = await http.post('/v1/chat/completions').send(hello({ messages: [{ role: 'user', content: large + large }] })).expect(413);
    expect(tooLarge.body.error).toMatchObject({ type: 'invalid_request_error', param: null, code: null });
    const form = await http.post('/v1/chat/completions').type('form').send('model=mock&messages[0][role]=user&messages[0][content]=hi');
    expect([400, 415]).toContain(form.status);
    expect(form.body.error.type).toBe('invalid_request_error');
    const text = await http.post('/v1/chat/completions').set('content-type', 'text/plain').send(JSON.stringify(hello()));
    expect([400, 415]).toContain(text.status);
    expect((await http.get('/health').expect(200)).body.details.mock).toMatchObject({ calls: 1 });
  });

  it('aborts the call of a client that leaves, before the answer and mid-stream, and logs nothing for it', async () => {
    // Node's own client, so that leaving closes the socket at once (a pooled client keeps it for a while).
    const leave = (url: string, body: unknown, afterFirstChunk: boolean) =>
      new Promise<void>((done, fail) => {
        const req = httpRequest(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          res.once('data', () => afterFirstChunk && (req.destroy(), done()));
        });
        req.on('error', () => undefined);
        req.end(JSON.stringify(body));
        if (!afterFirstChunk) until(() => gateway!.app.get(ModelRouter).inFlight === 1).then(() => (req.destroy(), done()), fail);
      });
    await start({ MOCK_HANG: 'true' });
    const router = gateway!.app.get(ModelRouter);
    await leave(gateway!.url, hello(), false);
    // The mock hangs until its signal aborts: only the client's leaving (the time limit is 60 s) ends the call.
    await until(() => router.inFlight === 0);
    expect(router.inFlight).toBe(0);
    expect((await request(gateway!.url).get('/health').expect(200)).body.details.mock).toMatchObject({ calls: 1, served: 0 });
    await gateway!.close();

    await start({ MOCK_STALL_AFTER_TOKENS: '1' });
    const streams = gateway!.app.get(ModelRouter);
    await leave(gateway!.url, hello({ stream: true, messages: [{ role: 'user', content: 'one two three' }] }), true);
    await until(() => streams.inFlight === 0);
    expect(streams.inFlight).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The app's one boot warning (no API keys configured) aside, nothing.
    expect(gateway!.logs.lines.filter((line) => /^(error|warn):/.test(line) && !line.includes('No API keys configured'))).toEqual([]);
  });
});

describe('GLEITZEIT_BODY_LIMIT', () => {
  it('reads sizes as Express does (1024s) for both platforms, and refuses what is not a size, naming the variable', () => {
    expect(['10mb', '512kb', '1.5MB', '1000', '2gb'].map((text) => bodyLimitBytes(text))).toEqual([10 * 2 ** 20, 512 * 2 ** 10, 1.5 * 2 ** 20, 1000, 2 * 2 ** 30]);
    for (const bad of ['lots', '-1mb', '0', '10 megabytes', '']) {
      expect(() => bodyLimitBytes(bad)).toThrow(`GLEITZEIT_BODY_LIMIT "${bad}" is not a size: write it as 10mb, 512kb or a number of bytes`);
    }
  });
});
