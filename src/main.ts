import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app/app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(await AppModule.register(), { abortOnError: false });
  // Exit with 0 after every stop() ran, rather than re-raising the signal.
  app.enableShutdownHooks([], { useProcessExit: true });
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  new Logger('Gleitzeit').log(`Listening on ${url} (try GET /health, GET /models, POST /chat)`);
}

bootstrap().catch((error: Error) => {
  new Logger('Gleitzeit').error(error.message);
  process.exit(1);
});
