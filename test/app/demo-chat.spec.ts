import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app/app.module.js';
import { LogCollector } from '../support/boot.js';

const FAULTS = ['MOCK_FAIL_RATE', 'MOCK_FAIL_STATUS', 'MOCK_RETRY_AFTER_MS', 'MOCK_HANG'];
let app: INestApplication | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  for (const key of FAULTS) delete process.env[key];
});

async function demo(env: NodeJS.ProcessEnv = {}) {
  const moduleRef = await Test.createTestingModule({ imports: [await AppModule.register(env)] }).compile();
  app = moduleRef.createNestApplication({ logger: new LogCollector() });
  await app.init();
  return request(app.getHttpServer());
}

const hello = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: 'hello' }], ...extra });

describe('the demo app runs on mock by default', () => {
  it('boots only mock, and POST /chat answers through the provider contract with text, finish reason and usage', async () => {
    const http = await demo();
    const health = await http.get('/health').expect(200);
    expect(Object.keys(health.body.details)).toEqual(['mock']);
    const { body } = await http.post('/chat').send(hello('mock')).expect(201);
    expect(body).toEqual({ extension: 'mock', model: 'mock-chat', text: 'hello', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } });
  });

  it('answers offered tools with a tool call, and refuses an embeddings model with a 404 naming the capability', async () => {
    const http = await demo();
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
    const { body } = await http.post('/chat').send(hello('mock', { tools })).expect(201);
    expect(body).toMatchObject({ extension: 'mock', text: '', finishReason: 'tool_calls', toolCalls: [{ type: 'function', function: { name: 'lookup', arguments: '{"q":"hello"}' } }] });
    const embed = await http.post('/chat').send(hello('mock-embed')).expect(404);
    expect(embed.body.message).toContain('No extension serves model "mock-embed" with capabilities [text]');
  });

  it('keeps echo working on its own convention when it is named', async () => {
    const http = await demo({ GLEITZEIT_EXTENSIONS: 'mock,echo' });
    const { body } = await http.post('/chat').send(hello('echo')).expect(201);
    expect(body).toEqual({ model: 'echo', text: 'hello', extension: 'echo' });
  });

  it("answers an injected fault with 502 carrying the provider's status, code and Retry-After", async () => {
    Object.assign(process.env, { MOCK_FAIL_RATE: '1', MOCK_FAIL_STATUS: '429', MOCK_RETRY_AFTER_MS: '2000' });
    const http = await demo();
    const { body } = await http.post('/chat').send(hello('mock')).expect(502);
    expect(body).toEqual({
      code: 'EXT_ERR_PROVIDER',
      extension: 'mock',
      status: 429,
      providerCode: 'rate_limit_exceeded',
      retryAfterMs: 2000,
      message: expect.stringContaining('Mock fault on call 1 (chat): HTTP 429 rate_limit_exceeded, retry after 2000 ms.'),
    });
  });

  it('answers 504 at GLEITZEIT_CHAT_TIMEOUT_MS when the provider hangs, aborting its call', async () => {
    process.env.MOCK_HANG = 'true';
    const http = await demo({ GLEITZEIT_CHAT_TIMEOUT_MS: '200' });
    const began = performance.now();
    const { body } = await http.post('/chat').send(hello('mock')).expect(504);
    expect(performance.now() - began).toBeGreaterThanOrEqual(190);
    expect(body).toMatchObject({ code: 'EXT_ERR_TIMEOUT', message: 'The provider did not answer within 200 ms; its call was aborted.' });
    // The mock's hang ended because its signal aborted: it counted the call but did not serve it.
    expect((await http.get('/health').expect(200)).body.details.mock).toMatchObject({ calls: 1, served: 0 });
  });
});
