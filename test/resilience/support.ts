import { Test } from '@nestjs/testing';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { resolve } from 'node:path';
import OpenAI from 'openai';
import { ExtensionsModule, OpenAiGatewayModule, OpenAiPathExceptionFilter, SHIPPED_EXTENSIONS, type ExtensionsModuleOptions } from '../../src/index.js';
import type { ResilienceOptions } from '../../src/routing/resilience/resilience.options.js';
import { LogCollector } from '../support/boot.js';
import { KEY, startOpenAiServer, type OpenAiServer } from '../support/openai-server.js';
import { startGateway } from '../gateway/support.js';

/** Every MOCK_* fault unset: a test sets only the ones it wants. */
export const MOCK_FAULTS_OFF: Record<string, string> = {
  MOCK_FAIL_RATE: '0',
  MOCK_FAIL_FIRST: '',
  MOCK_FAIL_STATUS: '503',
  MOCK_FAIL_CODE: '',
  MOCK_FAIL_CONNECTION: 'false',
  MOCK_RETRY_AFTER_MS: '',
  MOCK_HANG: 'false',
  MOCK_CUT_AFTER_TOKENS: '',
  MOCK_STALL_AFTER_TOKENS: '',
  MOCK_FAIL_AFTER_TOKENS: '',
  MOCK_MALFORMED_CHUNK: 'false',
  MOCK_TIME_TO_FIRST_TOKEN_MS: '0',
  MOCK_TOKEN_DELAY_MS: '0',
  MOCK_LATENCY_MS: '0',
};

/** The gateway app (AppModule) with mock and openai (pointed at `upstream`), resilience from GLEITZEIT_RESILIENCE. */
export function appGateway(upstream: OpenAiServer, resilience: ResilienceOptions, env: Record<string, string> = {}) {
  return startGateway({
    GLEITZEIT_EXTENSIONS: 'mock,openai',
    GLEITZEIT_TIMEOUT_MS: '',
    GLEITZEIT_RESILIENCE: JSON.stringify(resilience),
    OPENAI_API_KEY: KEY,
    OPENAI_BASE_URL: upstream.baseUrl,
    ...MOCK_FAULTS_OFF,
    ...env,
  });
}

export const TWO_ENDPOINTS = resolve('test/fixtures/two-endpoints');
export const BACKUP = resolve('test/fixtures/resilience');

/**
 * A test app: ExtensionsModule.forRoot over the shipped extensions, the `ollama` fixture (a second
 * OpenAI-compatible extension) and `backup` (a second mock), with the OpenAI gateway at /v1. No
 * environment is read: every extension's settings come from `extensionConfigs`.
 */
export async function testGateway(options: ExtensionsModuleOptions) {
  const logs = new LogCollector();
  const moduleRef = await Test.createTestingModule({
    imports: [
      ExtensionsModule.forRoot({ searchPaths: [SHIPPED_EXTENSIONS, TWO_ENDPOINTS, BACKUP], introspectionPath: false, ...options }),
      OpenAiGatewayModule.register({ path: 'v1', timeoutMs: 10_000 }),
    ],
    providers: [{ provide: APP_FILTER, useFactory: (host: HttpAdapterHost) => new OpenAiPathExceptionFilter('v1', host), inject: [HttpAdapterHost] }],
  })
    .setLogger(logs)
    .compile();
  // As the gateway app is built (its helper moves between versions: written out here).
  const app = moduleRef.createNestApplication<NestExpressApplication>({ abortOnError: false, bodyParser: false, logger: logs });
  app.useBodyParser('json', { limit: '10mb' });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const client = new OpenAI({ apiKey: 'unused', baseURL: `${url}/v1`, maxRetries: 0, timeout: 10_000 });
  return { app, url, client, logs, close: () => app.close() };
}

/** The openai and ollama extensions' settings for two fake servers; ollama serves gpt-4o too. */
export const endpoints = (cloud: OpenAiServer, local: OpenAiServer, ollamaModels: unknown[] = ['gpt-4o']) => ({
  openai: { apiKey: KEY, baseUrl: cloud.baseUrl },
  ollama: { apiKey: 'ollama-key', baseUrl: local.baseUrl, models: ollamaModels },
});

/** The fake server, with the time each request arrived. */
export async function upstreamServer() {
  const server = await startOpenAiServer();
  const times: number[] = [];
  server.server.on('request', (req) => void (req.url === '/v1/chat/completions' && times.push(Date.now())));
  return Object.assign(server, { times, chats: () => server.seen.filter((s) => s.url === '/v1/chat/completions') });
}

export const ask = (model: string, content = 'hello', extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user' as const, content }], ...extra });

export const weather = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

type Client = OpenAI;
type Params = Record<string, unknown> & { model: string; messages: unknown[] };

/** A plain answer with its response headers. */
export async function plain(client: Client, params: Params) {
  const { data, response } = await client.chat.completions.create({ ...(params as any), stream: false }).withResponse();
  return { answer: data as OpenAI.Chat.Completions.ChatCompletion, headers: response.headers };
}

/**
 * A streamed answer read to its end, with its response headers: the text, the finish reason, the
 * usage chunk, the models the chunks named, and the error the stream ended with (if any).
 */
export async function streamed(client: Client, params: Params) {
  const { data, response } = await client.chat.completions.create({ ...(params as any), stream: true, stream_options: { include_usage: true } }).withResponse();
  let text = '';
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined;
  let error: any;
  const models = new Set<string>();
  const calls: string[] = [];
  try {
    for await (const chunk of data as unknown as AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
      models.add(chunk.model);
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      text += choice.delta.content ?? '';
      finish = choice.finish_reason ?? finish;
      for (const call of choice.delta.tool_calls ?? []) calls.push(call.function?.name ?? '');
    }
  } catch (thrown) {
    error = thrown;
  }
  return { text, finish, usage, error, calls, models: [...models], headers: response.headers };
}

/** The error a call failed with (an OpenAI APIError with status, code and headers). */
export async function rejection(work: Promise<unknown>): Promise<any> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail, but it answered');
}

export const attemptsOf = (headers: Headers) => headers.get('x-gleitzeit-attempts');
export const answeredBy = (headers: Headers) => headers.get('x-gleitzeit-extension');
