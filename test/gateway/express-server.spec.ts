import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, Post, Req, Res, type INestApplication, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { IncomingMessage, request as httpRequest, type Server } from 'node:http';
import request from 'supertest';
import { gatewayExpressAdapter } from '../../src/index.js';

/*
 * gatewayExpressAdapter(): Nest's ExpressAdapter whose server builds requests and responses on the
 * Express app's prototypes, so Express's per-request Object.setPrototypeOf changes nothing. Real Nest
 * apps over real HTTP, each against Nest's own ExpressAdapter.
 */

type ExpressReq = IncomingMessage & { get(name: string): string | undefined };
type ExpressRes = { status(code: number): ExpressRes; json(body: unknown): void };

let hold: (() => void) | undefined;

@Controller()
class ProbeController {
  @Post('echo')
  echo(@Req() req: ExpressReq, @Res() res: ExpressRes): void {
    res.status(201).json({ header: req.get('x-probe'), incoming: req instanceof IncomingMessage });
  }

  @Get('hang')
  hang(@Res() res: { end(): void }): Promise<void> {
    return new Promise<void>((resolve) => (hold = () => (res.end(), resolve())));
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const apps: INestApplication[] = [];
afterEach(async () => {
  hold?.();
  hold = undefined;
  for (const app of apps.splice(0)) await app.close();
});

/** An app on `adapter`, listening; what its server's request listener sees before Express runs. */
async function start(adapter: 'gateway' | 'nest', options: NestApplicationOptions = {}) {
  const httpAdapter = adapter === 'gateway' ? await gatewayExpressAdapter() : new ExpressAdapter();
  const app = await NestFactory.create<NestExpressApplication>(ProbeModule, httpAdapter, { logger: false, ...options });
  apps.push(app);
  const express = app.getHttpAdapter().getInstance() as { request: object; response: object };
  const seen: boolean[] = [];
  (app.getHttpServer() as Server).prependListener('request', (req, res) => {
    seen.push(Object.getPrototypeOf(req) === express.request && Object.getPrototypeOf(res) === express.response);
  });
  await app.listen(0, '127.0.0.1');
  return { app, seen, server: app.getHttpServer() as Server };
}

describe('gatewayExpressAdapter', () => {
  it("builds each request and response on the Express app's prototypes (Nest's adapter does not)", async () => {
    for (const [adapter, expected] of [['gateway', true], ['nest', false]] as const) {
      const { app, seen } = await start(adapter);
      await request(app.getHttpServer()).post('/echo').send({}).expect(201);
      await request(app.getHttpServer()).post('/echo').send({}).expect(201);
      expect(seen).toEqual([expected, expected]);
    }
  });

  it("keeps Express's request and response methods, and Node's classes", async () => {
    const { app } = await start('gateway');
    const answer = await request(app.getHttpServer()).post('/echo').set('x-probe', 'yes').send({}).expect(201);
    expect(answer.body).toEqual({ header: 'yes', incoming: true });
  });

  it('keeps the listeners the adapter adds, so forceCloseConnections still ends a request in flight on close()', async () => {
    const nest = await start('nest', { forceCloseConnections: true });
    const gateway = await start('gateway', { forceCloseConnections: true });
    expect(gateway.server.listenerCount('connection')).toBe(nest.server.listenerCount('connection'));

    const port = (gateway.server.address() as { port: number }).port;
    const failed = new Promise<string>((resolve) => {
      const call = httpRequest({ port, host: '127.0.0.1', path: '/hang' }, () => resolve('answered'));
      call.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      call.end();
    });
    while (!hold) await new Promise((resolve) => setTimeout(resolve, 5));
    apps.splice(apps.indexOf(gateway.app), 1);
    const closed = gateway.app.close().then(() => 'closed');
    await expect(Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 3000, 'still open').unref())])).resolves.toBe('closed');
    await expect(failed).resolves.toBe('ECONNRESET');
  });
});
