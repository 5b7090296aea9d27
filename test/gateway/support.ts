import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import OpenAI from 'openai';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../../src/app/app.module.js';
import { GATEWAY_APP_OPTIONS, configureGatewayApp, gatewayExpressAdapter } from '../../src/index.js';
import { LogCollector } from '../support/boot.js';

/**
 * The gateway app (AppModule, as `npm start` builds it) listening on a free port, with `env` in
 * process.env while it boots and runs (extensions read their settings from there), and an official
 * `openai` client pointed at it. On Express (with gatewayExpressAdapter(), as `npm start` runs) or on Fastify.
 */
export type Platform = 'express' | 'fastify';

export async function startGateway(env: Record<string, string>, platform: Platform = 'express'): Promise<{ app: NestExpressApplication | NestFastifyApplication; url: string; client: OpenAI; logs: LogCollector; close: () => Promise<void> }> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const logs = new LogCollector();
  const moduleRef = await Test.createTestingModule({ imports: [await AppModule.register(process.env)] })
    .setLogger(logs)
    .compile();
  const options = { ...GATEWAY_APP_OPTIONS, logger: logs };
  const app = platform === 'fastify' ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), options) : moduleRef.createNestApplication<NestExpressApplication>(await gatewayExpressAdapter(), options);
  configureGatewayApp(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const client = new OpenAI({ apiKey: 'any-key-the-gateway-ignores', baseURL: `${url}/v1`, maxRetries: 0, timeout: 10_000 });
  const close = async () => {
    await app.close();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  return { app, url, client, logs, close };
}

/** The text of a streamed answer, its finish reason, its tool calls (joined) and the usage chunk. */
export async function readStream(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  let text = '';
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined;
  const calls: { id?: string; name?: string; arguments: string }[] = [];
  const ids = new Set<string>();
  for await (const chunk of stream) {
    ids.add(chunk.id);
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    text += choice.delta.content ?? '';
    finish = choice.finish_reason ?? finish;
    for (const call of choice.delta.tool_calls ?? []) {
      const slot = (calls[call.index] ??= { arguments: '' });
      if (call.id) slot.id = call.id;
      if (call.function?.name) slot.name = call.function.name;
      slot.arguments += call.function?.arguments ?? '';
    }
  }
  return { text, finish, usage, calls, ids };
}
