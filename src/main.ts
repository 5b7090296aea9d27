import 'reflect-metadata';
import { ConsoleLogger, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app/app.module.js';
import { GATEWAY_APP_OPTIONS, configureGatewayApp } from './gateway/configure-app.js';
import { gatewayExpressAdapter } from './gateway/express-server.js';

/**
 * GLEITZEIT_LOG_LEVEL=debug adds the per-call debug line (and Nest's debug output); the default is log,
 * warn and error. GLEITZEIT_LOG_FORMAT=json prints one JSON object per line.
 */
function appLogger(env: NodeJS.ProcessEnv): ConsoleLogger {
  const levels: LogLevel[] = ['fatal', 'error', 'warn', 'log', ...(env.GLEITZEIT_LOG_LEVEL === 'debug' ? (['debug'] as const) : [])];
  return new ConsoleLogger({ logLevels: levels, json: env.GLEITZEIT_LOG_FORMAT === 'json' });
}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.register(), await gatewayExpressAdapter(), { ...GATEWAY_APP_OPTIONS, logger: appLogger(process.env) });
  configureGatewayApp(app);
  // Exit with 0 after every stop() ran, rather than re-raising the signal.
  app.enableShutdownHooks([], { useProcessExit: true });
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  new Logger('Gleitzeit').log(`Listening on ${url} (OpenAI's API at ${url}/v1; try GET /v1/models, GET /health)`);
}

bootstrap().catch((error: Error) => {
  new Logger('Gleitzeit').error(error.message);
  process.exit(1);
});
