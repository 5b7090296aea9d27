import { afterEach, describe, expect, it } from '@jest/globals';
import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app/app.module.js';
import { GATEWAY_APP_OPTIONS, configureGatewayApp, gatewayExpressAdapter } from '../../src/index.js';

/*
 * The gateway inside an app that validates every body with a global ValidationPipe, as many Nest apps
 * do: the gateway's bodies are its own parameter, checked by its own rules, so the app's pipe neither
 * refuses what OpenAI clients send nor checks a body twice.
 */

let app: INestApplication | undefined;
const saved = process.env.GLEITZEIT_EXTENSIONS;
afterEach(async () => {
  await app?.close();
  app = undefined;
  if (saved === undefined) delete process.env.GLEITZEIT_EXTENSIONS;
  else process.env.GLEITZEIT_EXTENSIONS = saved;
});

describe('an app with a strict global ValidationPipe', () => {
  it('serves OpenAI bodies with fields the gateway does not take (dropped, as always), and still answers a bad one with its own 400', async () => {
    process.env.GLEITZEIT_EXTENSIONS = 'mock';
    const moduleRef = await Test.createTestingModule({ imports: [await AppModule.register(process.env)] }).compile();
    app = moduleRef.createNestApplication(await gatewayExpressAdapter(), { ...GATEWAY_APP_OPTIONS, logger: false });
    configureGatewayApp(app as unknown as Parameters<typeof configureGatewayApp>[0]);
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
    await app.init();
    const http = request(app.getHttpServer());
    const answer = await http
      .post('/v1/chat/completions')
      .send({ model: 'mock', messages: [{ role: 'user', content: 'hello there' }], presence_penalty: 0.5, logit_bias: {} })
      .expect(200);
    expect(answer.body.choices[0].message.content).toBe('hello there');
    const refused = await http.post('/v1/chat/completions').send({ model: 'mock', messages: [{ role: 'user', content: 'x' }], temperature: 3 }).expect(400);
    expect(refused.body.error).toMatchObject({ type: 'invalid_request_error', param: 'temperature' });
  });
});
