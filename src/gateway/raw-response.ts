import type { ArgumentsHost } from '@nestjs/common';
import type { ServerResponse } from 'node:http';

/** Express's response is Node's own; Fastify's reply keeps it as `raw`. Writing there works on both. */
export function rawResponse(response: unknown): ServerResponse {
  return ((response as { raw?: unknown })?.raw ?? response) as ServerResponse;
}

export const responseOf = (host: ArgumentsHost) => rawResponse(host.switchToHttp().getResponse());

/**
 * Sends a JSON answer. A response that already began (a stream) cannot change its status: it is ended
 * as it is; one whose client left is left alone.
 */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed || response.writableEnded) return;
  if (response.headersSent) return void response.end();
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.end(JSON.stringify(body));
}
