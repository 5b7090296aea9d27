import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app/app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(await AppModule.register(), { abortOnError: false });
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  new Logger('Gleitzeit').log(`Listening on http://localhost:${port} (try GET /health, GET /models, POST /chat)`);
}

bootstrap().catch((error: Error) => {
  new Logger('Gleitzeit').error(error.message);
  process.exit(1);
});
