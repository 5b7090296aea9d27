import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Inject, type INestApplication, Post, UseFilters } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  ExtensionErrorCode,
  ExtensionExceptionFilter,
  ExtensionsModule,
  extensionErrorBody,
  ProviderError,
  HTTP_STATUS_OF_CODE,
  ModelRouter,
  SHIPPED_EXTENSIONS,
  type ChatRequest,
} from '../../src/index.js';
import { LogCollector } from '../support/boot.js';

/** A user's own controller, calling the router and relying on the exported filter for its errors. */
@Controller('mine')
@UseFilters(ExtensionExceptionFilter)
class MyController {
  constructor(@Inject(ModelRouter) private readonly router: ModelRouter) {}

  @Post()
  async ask(@Body() body: ChatRequest) {
    return (await this.router.chat(body)).message;
  }
}

let app: INestApplication;
beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [ExtensionsModule.forRoot({ searchPaths: [SHIPPED_EXTENSIONS], extensions: ['mock'], extensionConfigs: { mock: { failRate: 0.5, failStatus: 429, retryAfterMs: 1000 } }, resilience: { retries: 0 } })],
    controllers: [MyController],
  }).compile();
  app = moduleRef.createNestApplication({ logger: new LogCollector() });
  await app.init();
});
afterAll(() => app.close());

describe('ExtensionExceptionFilter on your own controllers', () => {
  it('maps every EXT_ERR_* code to an HTTP status', () => {
    expect(Object.keys(HTTP_STATUS_OF_CODE).sort()).toEqual(Object.values(ExtensionErrorCode).sort());
    expect(HTTP_STATUS_OF_CODE.EXT_ERR_MODEL_NOT_FOUND).toBe(404);
    expect(HTTP_STATUS_OF_CODE.EXT_ERR_TIMEOUT).toBe(504);
  });

  it("relays a provider's message and wait within bounds", () => {
    const error = new ProviderError('x'.repeat(5000), 'mock', { status: 429, retryAfterMs: 1e23 });
    const body = extensionErrorBody(error);
    expect(body.error.message).toHaveLength(2000 + '... (cut at 2000 characters)'.length);
    expect(body.error.retry_after_ms).toBe(86_400_000);
  });

  it("answers the router's errors with their status in OpenAI's format", async () => {
    const http = request(app.getHttpServer());
    const ask = (model: string) => http.post('/mine').send({ model, messages: [{ role: 'user', content: 'hi' }] });
    const missing = await ask('nope').expect(404);
    expect(missing.body.error).toMatchObject({ code: 'EXT_ERR_MODEL_NOT_FOUND', type: 'not_found_error', param: 'model' });
    // failRate 0.5: the first call passes, the second fails with the injected 429.
    expect((await ask('mock').expect(201)).body).toMatchObject({ role: 'assistant', content: 'hi' });
    const limited = await ask('mock').expect(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.body.error).toMatchObject({ code: 'rate_limit_exceeded', extension: 'mock', provider_status: 429 });
  });
});
