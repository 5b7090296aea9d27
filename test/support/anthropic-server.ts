import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake Anthropic server received. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, any>;
}

/**
 * What the server answers to one POST /v1/messages: a JSON message, an SSE event list (with `die`, the
 * socket is destroyed after the events instead of ending the body), an error, a hang, or a reset (the
 * socket destroyed before any byte).
 */
export type Reply =
  | { json: Record<string, unknown> }
  | { events: Record<string, any>[]; die?: true }
  | { status: number; error: { type: string; message: string }; headers?: Record<string, string> }
  | { hang: true }
  | { reset: true };

/**
 * A local server speaking Anthropic's Messages wire format: POST /v1/messages answers the next queued
 * reply, GET /v1/models a one-model page. It records every request and sees connections close.
 */
export class FakeAnthropic {
  readonly received: Received[] = [];
  readonly replies: Reply[] = [];
  /** Resolves when a hanging request's connection closes. */
  closed: Promise<void> = Promise.resolve();
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        const body = raw ? JSON.parse(raw) : {};
        this.received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.method === 'GET' && req.url?.startsWith('/v1/models')) {
          res.setHeader('content-type', 'application/json');
          return res.end(JSON.stringify({ data: [{ type: 'model', id: 'claude-sonnet-5-5', display_name: 'Claude Sonnet 5.5', created_at: '2026-10-01T00:00:00Z' }], has_more: true, first_id: 'claude-sonnet-5-5', last_id: 'claude-sonnet-5-5' }));
        }
        const reply = this.replies.shift();
        if (!reply || req.url !== '/v1/messages') {
          res.statusCode = 404;
          res.setHeader('content-type', 'application/json');
          return res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `nothing queued for ${req.url}` } }));
        }
        if ('reset' in reply) return void res.socket?.destroy();
        if ('hang' in reply) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(`event: message_start\ndata: ${JSON.stringify(messageStart())}\n\n`);
          this.closed = new Promise((done) => res.on('close', () => done()));
          return;
        }
        if ('error' in reply) {
          res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
          return res.end(JSON.stringify({ type: 'error', error: reply.error }));
        }
        if ('events' in reply) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (const event of reply.events) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
          if (reply.die) return void res.write('', () => res.socket?.destroy());
          return res.end();
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(reply.json));
      });
    });
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }

  /** The last POST /v1/messages. */
  lastMessages(): Received {
    return this.received.filter((r) => r.url === '/v1/messages').at(-1)!;
  }
}

export const messageStart = (model = 'claude-sonnet-5-5') => ({
  type: 'message_start',
  message: { id: 'msg_stream', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } },
});

/** A whole message as the API answers it. */
export const message = (content: Record<string, unknown>[], stop_reason = 'end_turn', model = 'claude-sonnet-5-5') => ({
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model,
  content,
  stop_reason,
  stop_sequence: null,
  usage: { input_tokens: 20, output_tokens: 7 },
});
