import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import { inspect } from 'node:util';
import request from 'supertest';
import { ExtensionManager, ModelNotFound, ProviderError, SHIPPED_EXTENSIONS, type ModelRouter } from '../../src/index.js';
import { bootApp, type BootedApp } from '../support/boot.js';
import { failure } from '../support/mock.js';
import { startOpenAiServer } from '../support/openai-server.js';

const OPENAI_KEY = 'sk-openai-aaaaaaaaaaaa';
const OLLAMA_KEY = 'ollama-key-bbbbbbbbbbbb';
const FIXTURE = resolve('test/fixtures/two-endpoints');

let cloud: Awaited<ReturnType<typeof startOpenAiServer>>;
let local: Awaited<ReturnType<typeof startOpenAiServer>>;
let manager: ExtensionManager;
let router: ModelRouter;

beforeAll(async () => {
  [cloud, local] = await Promise.all([startOpenAiServer(), startOpenAiServer({ models: ['llama3.1', 'qwen2.5', 'nomic-embed-text'] })]);
  const env: Record<string, string> = {
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: cloud.baseUrl,
    OPENAI_ORGANIZATION: 'org-cloud',
    OPENAI_MODELS: 'o4-mini',
    OLLAMA_API_KEY: OLLAMA_KEY,
    OLLAMA_BASE_URL: local.baseUrl,
    OLLAMA_MODELS: 'llama3.1',
    OLLAMA_LIST_MODELS: 'true',
  };
  manager = new ExtensionManager({}, { env: (name) => env[name] });
  await manager.discoverExtensions([SHIPPED_EXTENSIONS, FIXTURE]);
  await manager.loadExtension('openai');
  await manager.loadExtension('ollama');
  await manager.startAllExtensions();
  router = manager.modelRouter;
});

afterAll(async () => {
  await manager.stopAllExtensions();
  await Promise.all([cloud.close(), local.close()]);
});

const ask = (model: string, content = 'hi') => ({ model, messages: [{ role: 'user' as const, content }] });
const chats = (fake: typeof cloud) => fake.seen.filter((s) => s.url === '/v1/chat/completions');

describe('two OpenAI-compatible endpoints side by side: openai and a subclass of it', () => {
  it('are two extensions, each discovered once; the subclass has the fields it redeclared and none of the openai models', () => {
    expect(manager.getDiscoveryProblems()).toEqual([]);
    const available = manager.listAvailable();
    expect(available.ollama.models).toEqual([]);
    expect(available.ollama.capabilities).toEqual(['streaming']);
    expect(available.ollama.requires).toEqual(['openai@^7']);
    expect(available.ollama.configFields.map((f) => [f.name, f.envVar])).toEqual([
      ['apiKey', 'OLLAMA_API_KEY'],
      ['baseUrl', 'OLLAMA_BASE_URL'],
      ['organization', undefined],
      ['timeout', undefined],
      ['models', 'OLLAMA_MODELS'],
      ['listModels', 'OLLAMA_LIST_MODELS'],
    ]);
    expect(() => router.route('ollama:gpt-4o')).toThrow(ModelNotFound);
  });

  it('route each model to its own server, with its own key, and only that server', async () => {
    await router.chat(ask('gpt-4o'));
    await router.chat(ask('o4-mini'));
    await router.chat(ask('llama3.1'));
    await router.chat(ask('qwen2.5'));
    expect(chats(cloud).map((s) => [s.body.model, s.headers.authorization, s.headers['openai-organization']])).toEqual([
      ['gpt-4o', `Bearer ${OPENAI_KEY}`, 'org-cloud'],
      ['o4-mini', `Bearer ${OPENAI_KEY}`, 'org-cloud'],
    ]);
    expect(chats(local).map((s) => [s.body.model, s.headers.authorization, s.headers['openai-organization']])).toEqual([
      ['llama3.1', `Bearer ${OLLAMA_KEY}`, undefined],
      ['qwen2.5', `Bearer ${OLLAMA_KEY}`, undefined],
    ]);
    // The listing went to the local server only, with its key.
    expect(local.seen.filter((s) => s.url === '/v1/models').map((s) => s.headers.authorization)).toEqual([`Bearer ${OLLAMA_KEY}`]);
    expect(cloud.seen.filter((s) => s.url === '/v1/models')).toEqual([]);
    expect(router.findExtensionForModel('nomic-embed-text')).toBe('ollama');
  });

  it("an error of the subclass names it and masks its key", async () => {
    const error = (await failure(router.chat(ask('llama3.1', 'auth')))) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ extensionName: 'ollama', status: 401 });
    expect(error.message).toBe('OpenAI answered 401: Incorrect API key provided: ***.');
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(OLLAMA_KEY);
  });
});

describe('in a Nest app', () => {
  let booted: BootedApp;
  afterAll(async () => booted?.app.close());

  it('GET /models lists each endpoint with its models', async () => {
    booted = await bootApp({
      searchPaths: [SHIPPED_EXTENSIONS, FIXTURE],
      extensions: ['openai', 'ollama'],
      extensionConfigs: { openai: { apiKey: OPENAI_KEY, baseUrl: cloud.baseUrl }, ollama: { baseUrl: local.baseUrl, models: ['llama3.1', 'qwen2.5'] } },
    });
    const { body } = await request(booted.app.getHttpServer()).get('/models').expect(200);
    expect(body['gpt-4o']).toMatchObject({ extension: 'openai' });
    expect(body['llama3.1']).toMatchObject({ extension: 'ollama', capabilities: ['text', 'function_calling', 'streaming'], runtime: true });
    expect(body['qwen2.5']).toMatchObject({ extension: 'ollama' });
    expect(booted.logs.text).not.toContain(OPENAI_KEY);
  });
});
