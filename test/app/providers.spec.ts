import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { AppModule } from '../../src/app/app.module.js';
import { LogCollector } from '../support/boot.js';

/** A local server speaking the OpenAI and Anthropic wire formats, recording what it was sent. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}
const seen: Seen[] = [];
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : {};
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/openai/models') return res.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o', object: 'model' }] }));
      if (req.url === '/openai/chat/completions') {
        const last = body.messages.at(-1).content;
        return res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: `openai says ${last}` }, finish_reason: 'stop' }] }));
      }
      if (req.url?.startsWith('/anthropic/v1/models')) return res.end(JSON.stringify({ data: [{ type: 'model', id: 'claude-sonnet-5-5' }], has_more: false, first_id: null, last_id: null }));
      if (req.url === '/anthropic/v1/messages') {
        // @anthropic-ai/sdk 1.x sends the key as a bearer token; older clients sent x-api-key.
        if (req.headers.authorization !== 'Bearer ak-test' && req.headers['x-api-key'] !== 'ak-test') {
          res.statusCode = 401;
          return res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }));
        }
        return res.end(JSON.stringify({ id: 'm1', type: 'message', role: 'assistant', model: body.model, content: [{ type: 'text', text: `claude says ${body.messages.at(-1).content}` }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 5, output_tokens: 3 } }));
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { message: 'unknown route' } }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

const ENV = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'];
let app: INestApplication | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  for (const key of ENV) delete process.env[key];
  seen.length = 0;
});

async function bootShippedApp(): Promise<INestApplication> {
  Object.assign(process.env, {
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${base}/openai`,
    ANTHROPIC_API_KEY: 'ak-test',
    ANTHROPIC_BASE_URL: `${base}/anthropic`,
  });
  const moduleRef = await Test.createTestingModule({ imports: [await AppModule.register({ GLEITZEIT_EXTENSIONS: 'echo,openai,claude' })] }).compile();
  app = moduleRef.createNestApplication({ logger: new LogCollector() });
  await app.init();
  return app;
}

describe('the shipped provider extensions', () => {
  it('openai speaks the Chat Completions wire format', async () => {
    const http = request((await bootShippedApp()).getHttpServer());
    const { body } = await http
      .post('/v1/chat/completions')
      .send({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .expect(200);
    expect(body).toMatchObject({ object: 'chat.completion', model: 'gpt-4o', choices: [{ message: { role: 'assistant', content: 'openai says hi' }, finish_reason: 'stop' }] });
    const call = seen.find((s) => s.url === '/openai/chat/completions')!;
    expect(call.headers.authorization).toBe('Bearer sk-test');
    expect(call.body).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('a gpt-4 variant routes to openai by pattern', async () => {
    const http = request((await bootShippedApp()).getHttpServer());
    const { body } = await http.post('/v1/chat/completions').send({ model: 'gpt-4-turbo', messages: [{ role: 'user', content: 'x' }] }).expect(200);
    expect(body.choices[0].message.content).toBe('openai says x');
    // A name matched by a pattern is sent upstream as asked.
    expect(seen.find((s) => s.url === '/openai/chat/completions')!.body.model).toBe('gpt-4-turbo');
  });

  it('claude (a YAML extension) speaks the Messages wire format, found by alias, sending the real model name', async () => {
    const http = request((await bootShippedApp()).getHttpServer());
    const { body } = await http
      .post('/v1/chat/completions')
      .send({ model: 'claude-sonnet', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hey' }] })
      .expect(200);
    expect(body).toMatchObject({ model: 'claude-sonnet-5-5', choices: [{ message: { content: 'claude says hey' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } });
    const call = seen.find((s) => s.url === '/anthropic/v1/messages')!;
    expect(call.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Anthropic knows no alias: the provider receives the model's own name.
    expect(call.body).toEqual({ model: 'claude-sonnet-5-5', max_tokens: 1024, system: 'be brief', messages: [{ role: 'user', content: 'hey' }] });
  });

  it('health asks openai for its models list, and the gateway answers 404 for an unknown model', async () => {
    const http = request((await bootShippedApp()).getHttpServer());
    const health = await http.get('/health').expect(200);
    expect(health.body.details.openai).toMatchObject({ status: 'up', healthy: true, statusCode: 200 });
    expect(health.body.details.claude).toMatchObject({ status: 'up', healthy: true, models: ['claude-sonnet-5-5'] });
    expect(seen.some((s) => s.url === '/anthropic/v1/models?limit=1' && s.headers.authorization === 'Bearer ak-test')).toBe(true);
    expect(seen.some((s) => s.url === '/openai/models' && s.headers.authorization === 'Bearer sk-test')).toBe(true);
    const missing = await http.post('/v1/chat/completions').send({ model: 'claude-opus-9', messages: [{ role: 'user', content: 'x' }] }).expect(404);
    expect(missing.body.error).toMatchObject({ code: 'EXT_ERR_MODEL_NOT_FOUND', param: 'model', close_matches: expect.arrayContaining(['claude-opus-4-6']) });
  });

  it('without a key, openai is not configured: the app serves on, naming the variable, and the boot stays ready', async () => {
    const logs = new LogCollector();
    const moduleRef = await Test.createTestingModule({ imports: [await AppModule.register({ GLEITZEIT_EXTENSIONS: 'echo,openai' })] }).setLogger(logs).compile();
    app = moduleRef.createNestApplication({ logger: logs });
    await app.init();
    const http = request(app.getHttpServer());
    const health = await http.get('/health').expect(200);
    expect(health.body.details.openai).toEqual({ status: 'degraded', state: 'not configured', set: ['OPENAI_API_KEY'], message: 'not configured: set OPENAI_API_KEY' });
    await http.get('/health/ready').expect(200);
    expect(logs.text).toMatch(/log: Extensions \(1 started, 1 not configured\)[\s\S]*openai 2\.0\.0 \[decorator\] not configured  set OPENAI_API_KEY/);
    const refused = await http.post('/v1/chat/completions').send({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).expect(404);
    expect(refused.body.error.message).toBe('Extension "openai" serves model "gpt-4o" but is not configured: set OPENAI_API_KEY and restart the app (or load it again: manager.loadExtension(\'openai\')).');
    const echo = await http.post('/v1/chat/completions').send({ model: 'echo', messages: [{ role: 'user', content: 'still here' }] }).expect(200);
    expect(echo.body.choices[0].message.content).toBe('still here');
  });
});
