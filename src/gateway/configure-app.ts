import type { NestApplicationOptions } from '@nestjs/common';

/** What configureGatewayApp() needs of the app: Express's body-parser registration (NestExpressApplication has it). */
export interface BodyParserHost {
  useBodyParser(type: 'json', options: { limit: string }): unknown;
}

/**
 * How to create an app that serves the gateway: Nest's own body parsers off (one for JSON is added by
 * configureGatewayApp), and an error in a module's setup reported rather than exiting.
 */
export const GATEWAY_APP_OPTIONS: NestApplicationOptions = { abortOnError: false, bodyParser: false };

/**
 * JSON bodies only, up to GLEITZEIT_BODY_LIMIT (default 10mb: conversations carry images as data:
 * URLs; Express's own default is 100 kB). No form parser: a web page could otherwise post a form to a
 * gateway on localhost, with no CORS preflight, and spend its API keys.
 */
export function configureGatewayApp(app: BodyParserHost, env: NodeJS.ProcessEnv = process.env): void {
  app.useBodyParser('json', { limit: env.GLEITZEIT_BODY_LIMIT || '10mb' });
}
