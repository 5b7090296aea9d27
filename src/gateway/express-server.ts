import type { NestApplicationOptions } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import type { EventEmitter } from 'node:events';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';

/** What the adapter needs of an Express app: the prototypes Express gives each request and response. */
interface ExpressPrototypes {
  request: object;
  response: object;
}

/** Node's own constructors are plain functions (not classes), so a function can run them on `this`. */
const callable = (ctor: Function) => !/^class\b/.test(Function.prototype.toString.call(ctor));

/**
 * Constructors for Node's HTTP server (its `IncomingMessage` and `ServerResponse` options) that build
 * each request and response on the Express app's own prototypes, or undefined where Node's are classes.
 */
function expressMessageClasses(app: ExpressPrototypes): { IncomingMessage: typeof IncomingMessage; ServerResponse: typeof ServerResponse } | undefined {
  if (!callable(IncomingMessage) || !callable(ServerResponse)) return undefined;
  function ExpressRequest(this: IncomingMessage, socket: ConstructorParameters<typeof IncomingMessage>[0]) {
    (IncomingMessage as unknown as Function).call(this, socket);
  }
  function ExpressResponse(this: ServerResponse, req: IncomingMessage, options?: unknown) {
    (ServerResponse as unknown as Function).call(this, req, options);
  }
  ExpressRequest.prototype = app.request;
  ExpressResponse.prototype = app.response;
  return { IncomingMessage: ExpressRequest as unknown as typeof IncomingMessage, ServerResponse: ExpressResponse as unknown as typeof ServerResponse };
}

/**
 * Moves to `to` the listeners `from` got after its constructor ran (`to` was made the same way, so the
 * constructor's own are the first `to` has): what the adapter added, such as the open-connection
 * tracking of `forceCloseConnections`.
 */
function moveAddedListeners(from: EventEmitter, to: EventEmitter): void {
  for (const event of from.eventNames()) {
    for (const listener of from.listeners(event).slice(to.listeners(event).length)) to.on(event, listener as (...args: unknown[]) => void);
  }
}

/**
 * Nest's ExpressAdapter (from `@nestjs/platform-express`), with one change: its HTTP server builds
 * each request and response on the Express app's prototypes from the start. Express sets them per
 * request with `Object.setPrototypeOf`; on an object that already has them that is a no-op, where
 * otherwise V8 copies the object's hidden class on every request, and those copies outlive the young
 * generation: on Node 20 a default Nest app spent most of its time per request on that and the
 * garbage collection it caused (see the README's Performance section). Everything else is the
 * ExpressAdapter's own: `forceCloseConnections`, `return503OnClosing`, sub-apps (Express still sets a
 * sub-app's prototypes). With `httpsOptions` the server is Nest's, unchanged.
 *
 * `NestFactory.create(AppModule, await gatewayExpressAdapter(), GATEWAY_APP_OPTIONS)`; `npm start` does.
 */
export async function gatewayExpressAdapter(instance?: unknown): Promise<AbstractHttpAdapter> {
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  class PrototypeReadyExpressAdapter extends ExpressAdapter {
    override initHttpServer(options: NestApplicationOptions): void {
      super.initHttpServer(options);
      const classes = options?.httpsOptions ? undefined : expressMessageClasses(this.getInstance() as ExpressPrototypes);
      if (!classes) return;
      const server = createServer(classes, this.getInstance());
      moveAddedListeners(this.getHttpServer() as EventEmitter, server);
      this.setHttpServer(server);
    }
  }
  return new PrototypeReadyExpressAdapter(instance);
}
