// A server for the HTTP benchmarks, in its own process so that autocannon (in the parent) and the
// server do not share an event loop: `node server-child.mjs <kind> [dir]`, prints `BENCH {"port"}`.
//   health-extensions  ExtensionsModule.forRoot over <dir>/extensions, GET /health (Terminus, one key each)
//   health-bare        TerminusModule and one controller: GET /health with 50 trivial indicators
//   gateway            the gateway app (AppModule, as `npm start` builds it) on the `mock` extension
//   gateway-bare       one Nest controller answering POST /v1/chat/completions as mock does, plain and SSE,
//                      on the gateway's own HTTP adapter (gatewayExpressAdapter), so that only what is between differs
//   gateway-bare-nest  the same controller on Nest's default ExpressAdapter (what a plain Nest app runs)
//   gateway-no-sdk     the gateway app with GLEITZEIT_METRICS=off: telemetry on, no SDK (the API's no-ops): tracing off
//   gateway-telemetry-off  the gateway app with GLEITZEIT_TELEMETRY=off: no telemetry code on the path
import 'reflect-metadata';
import { Body, Controller, Get, Inject, Module, Post, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DIST } from './common.mjs';

const [kind, dir] = process.argv.slice(2);
const INDICATORS = 50;

/** Applies decorators the way TypeScript's legacy decorators would, for plain JS. */
function decorate(cls, { klass = [], ctor = [], methods = {} }) {
  ctor.forEach((token, index) => Inject(token)(cls, undefined, index));
  for (const [name, { method = [], params = [] }] of Object.entries(methods)) {
    const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, name);
    for (const d of method) d(cls.prototype, name, descriptor);
    params.forEach((d, index) => d(cls.prototype, name, index));
  }
  for (const d of klass) d(cls);
  return cls;
}

async function healthExtensions() {
  const { ExtensionsModule } = await import(DIST);
  class AppModule {}
  Module({ imports: [await ExtensionsModule.forRoot({ searchPaths: [join(dir, 'extensions')] })] })(AppModule);
  return NestFactory.create(AppModule, { logger: false });
}

async function healthBare() {
  class HealthController {
    constructor(health, indicator) {
      this.health = health;
      this.indicators = Array.from({ length: INDICATORS }, (_, i) => () => indicator.check(`ext-${i}`).up());
    }
    check() {
      return this.health.check(this.indicators);
    }
  }
  decorate(HealthController, { klass: [Controller('health')], ctor: [HealthCheckService, HealthIndicatorService], methods: { check: { method: [Get(), HealthCheck()] } } });
  class AppModule {}
  Module({ imports: [TerminusModule], controllers: [HealthController] })(AppModule);
  return NestFactory.create(AppModule, { logger: false });
}

async function gateway(env = {}) {
  Object.assign(process.env, env);
  process.env.GLEITZEIT_EXTENSIONS = 'mock';
  const { AppModule } = await import('../../dist/src/app/app.module.js');
  const { GATEWAY_APP_OPTIONS, configureGatewayApp, gatewayExpressAdapter } = await import(DIST);
  const app = await NestFactory.create(await AppModule.register(process.env), await gatewayExpressAdapter(), { ...GATEWAY_APP_OPTIONS, logger: false });
  configureGatewayApp(app);
  return app;
}

/**
 * What mock answers, as the gateway sends it (status 200, random ids, no ETag), minus everything in
 * between: the last message's text, streamed one word per chunk.
 */
async function gatewayBare(adapter) {
  class ChatController {
    chat(body, res) {
      const text = String(body.messages.at(-1).content);
      const words = text.match(/\s*\S+/g) ?? [];
      const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
      const created = Math.floor(Date.now() / 1000);
      const usage = { prompt_tokens: words.length, completion_tokens: words.length, total_tokens: 2 * words.length };
      res.setHeader('x-gleitzeit-extension', 'bare');
      if (!body.stream) {
        const message = { role: 'assistant', content: text, refusal: null };
        const json = JSON.stringify({ id, object: 'chat.completion', created, model: 'mock-chat', system_fingerprint: null, choices: [{ index: 0, message, logprobs: null, finish_reason: 'stop' }], usage });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
        res.end(json);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const chunk = (delta, finish_reason = null) =>
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: 'mock-chat', system_fingerprint: null, choices: [{ index: 0, delta, logprobs: null, finish_reason }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }));
      for (const word of words) res.write(chunk({ content: word }));
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
    }
  }
  decorate(ChatController, { klass: [Controller('v1')], methods: { chat: { method: [Post('chat/completions')], params: [Body(), Res()] } } });
  class AppModule {}
  Module({ controllers: [ChatController] })(AppModule);
  const { gatewayExpressAdapter } = await import('../../dist/src/gateway/express-server.js');
  return NestFactory.create(AppModule, adapter === 'nest' ? new ExpressAdapter() : await gatewayExpressAdapter(), { logger: false });
}

const make = {
  'health-extensions': healthExtensions,
  'health-bare': healthBare,
  gateway: () => gateway(),
  'gateway-bare': () => gatewayBare('gateway'),
  'gateway-bare-nest': () => gatewayBare('nest'),
  'gateway-no-sdk': () => gateway({ GLEITZEIT_METRICS: 'off' }),
  'gateway-telemetry-off': () => gateway({ GLEITZEIT_TELEMETRY: 'off' }),
}[kind];
if (!make) throw new Error(`unknown server kind ${kind}`);
const app = await make();
await app.listen(0, '127.0.0.1');
console.log(`BENCH ${JSON.stringify({ port: app.getHttpServer().address().port })}`);
