import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app/app.module.js';
import { GATEWAY_APP_OPTIONS, configureGatewayApp } from './gateway/configure-app.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.register(), GATEWAY_APP_OPTIONS);
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
