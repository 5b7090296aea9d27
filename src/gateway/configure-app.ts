import type { NestApplicationOptions } from '@nestjs/common';

/**
 * What configureGatewayApp() needs of the app: its platform's name and body-parser registration
 * (NestExpressApplication and NestFastifyApplication both have them).
 */
export interface BodyParserHost {
  getHttpAdapter(): { getType(): string };
  useBodyParser(type: string, options: object): unknown;
}

/**
 * How to create an app that serves the gateway: Nest's own body parsers off (one for JSON is added by
 * configureGatewayApp), and an error in a module's setup reported rather than exiting.
 */
export const GATEWAY_APP_OPTIONS: NestApplicationOptions = { abortOnError: false, bodyParser: false };

const UNITS: Record<string, number> = { b: 1, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30 };

/** `10mb`, `512kb`, `1.5mb` or a number of bytes, in 1024s as Express's body parser reads them; else an error naming the variable. */
export function bodyLimitBytes(text: string, name = 'GLEITZEIT_BODY_LIMIT'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  const bytes = match ? Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]) : NaN;
  if (!(bytes >= 1)) throw new Error(`${name} "${text}" is not a size: write it as 10mb, 512kb or a number of bytes`);
  return bytes;
}

/**
 * JSON bodies only, up to GLEITZEIT_BODY_LIMIT (default 10mb: conversations carry images as data:
 * URLs; Express's own default is 100 kB, Fastify's 1 MiB). No form parser: a web page could otherwise
 * post a form to a gateway on localhost, with no CORS preflight, and spend its API keys. On Express
 * this adds body-parser's JSON parser; on Fastify it replaces the built-in JSON parser's limit (Fastify
 * parses no forms without @fastify/formbody, and answers 415 to them).
 */
export function configureGatewayApp(app: BodyParserHost, env: NodeJS.ProcessEnv = process.env): void {
  const limit = env.GLEITZEIT_BODY_LIMIT || '10mb';
  const bytes = bodyLimitBytes(limit);
  if (app.getHttpAdapter().getType() === 'fastify') app.useBodyParser('application/json', { bodyLimit: bytes });
  else app.useBodyParser('json', { limit: bytes });
}
