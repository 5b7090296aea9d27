import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ExtensionManager, ModelNotFound, SHIPPED_EXTENSIONS } from '../../src/index.js';
import { configuredModels } from '../../extensions/openai/models.js';
import { KEY, startOpenAiServer } from '../support/openai-server.js';

type Fake = Awaited<ReturnType<typeof startOpenAiServer>>;
const fakes: Fake[] = [];
const warnings: string[] = [];
const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
const managers: ExtensionManager[] = [];

afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.stopAllExtensions();
  warnings.length = 0;
});
afterAll(async () => {
  warn.mockRestore();
  await Promise.all(fakes.map((f) => f.close()));
});

async function server(options: Parameters<typeof startOpenAiServer>[0] = {}): Promise<Fake> {
  const fake = await startOpenAiServer(options);
  fakes.push(fake);
  return fake;
}

/** The shipped openai extension, configured from these environment variables only, loaded and started. */
async function openai(env: Record<string, string>, options: ConstructorParameters<typeof ExtensionManager>[0] = {}) {
  const manager = new ExtensionManager(options, { env: (name) => env[name] });
  managers.push(manager);
  await manager.discoverExtensions([SHIPPED_EXTENSIONS]);
  await manager.loadExtension('openai');
  return manager;
}

const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }] });
let fake: Fake;
beforeAll(async () => void (fake = await server({ models: ['gpt-4o', 'served-1', 'served-2'] })));

describe('OPENAI_MODELS: names the server serves besides the declared ones', () => {
  it('route to openai once it started, with text and function_calling, and the SDK sends the real name', async () => {
    const manager = await openai({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: fake.baseUrl, OPENAI_MODELS: 'llama3.1, qwen2.5:7b,' });
    const router = manager.modelRouter;
    expect(router.findExtensionForModel('llama3.1')).toBeUndefined();
    await manager.startExtension('openai');
    expect(router.route('llama3.1', { capabilities: ['function_calling', 'streaming'] })).toMatchObject({ extension: 'openai', match: 'exact' });
    expect(() => router.route('llama3.1', { capabilities: ['vision'] })).toThrow(ModelNotFound);
    expect(router.getAvailableModels()['qwen2.5:7b']).toMatchObject({ extension: 'openai', capabilities: ['text', 'function_calling', 'streaming'], runtime: true });

    await router.chat(ask('openai:qwen2.5:7b'));
    expect(fake.seen.at(-1)).toMatchObject({ url: '/v1/chat/completions', body: { model: 'qwen2.5:7b' }, headers: { authorization: `Bearer ${KEY}` } });
    await router.chat(ask('llama3.1'));
    expect(fake.seen.at(-1)?.body.model).toBe('llama3.1');
    // listModels is off by default: the server's own list was not asked for, and its ids do not route.
    expect(fake.seen.filter((s) => s.url === '/v1/models')).toEqual([]);
    expect(router.findExtensionForModel('served-1')).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('takes a JSON list with capabilities per model', async () => {
    const models = JSON.stringify(['llama3.1', { name: 'llava', capabilities: ['text', 'vision'], maxTokens: 4096 }]);
    const manager = await openai({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: fake.baseUrl, OPENAI_MODELS: models });
    await manager.startExtension('openai');
    expect(manager.modelRouter.route('llava', { capabilities: ['vision'] }).model).toMatchObject({ name: 'llava', maxTokens: 4096 });
  });

  it('reads a plain comma-separated string too (a subclass that redeclares models as a string field)', () => {
    expect(configuredModels(' llama3.1, qwen2.5 ,').map((m) => m.name)).toEqual(['llama3.1', 'qwen2.5']);
    expect(configuredModels(undefined)).toEqual([]);
  });
});

describe('OPENAI_LIST_MODELS: the ids the server lists', () => {
  it('route too, read at start through the SDK with the key; declared and configured entries win', async () => {
    const models = JSON.stringify([{ name: 'served-2', capabilities: ['text', 'vision'] }]);
    const manager = await openai({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: fake.baseUrl, OPENAI_LIST_MODELS: 'true', OPENAI_MODELS: models });
    const before = fake.seen.length;
    await manager.startExtension('openai');
    expect(fake.seen.slice(before).map((s) => [s.url, s.headers.authorization])).toEqual([['/v1/models', `Bearer ${KEY}`]]);
    const router = manager.modelRouter;
    expect(router.route('served-1')).toMatchObject({ extension: 'openai', model: { capabilities: ['text', 'function_calling'], runtime: true } });
    expect(router.route('served-2').model.capabilities).toEqual(['text', 'vision']);
    expect(router.route('gpt-4o').model).toMatchObject({ priority: 1, costPerToken: 0.0000025 });
    expect(router.route('gpt-4o').model.runtime).toBeUndefined();
    await router.chat(ask('served-1'));
    expect(fake.seen.at(-1)?.body.model).toBe('served-1');
  });

  it('a failing listing is a warning without the key, and the configured models still route', async () => {
    const refusing = await server({ modelsFault: '401' });
    const manager = await openai({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: refusing.baseUrl, OPENAI_LIST_MODELS: 'yes', OPENAI_MODELS: 'mine' });
    await manager.startExtension('openai');
    expect(manager.getState('openai')).toBe('started');
    expect(manager.modelRouter.findExtensionForModel('mine')).toBe('openai');
    expect(warnings).toEqual([
      'Extension "openai": listing the server\'s models (GET /models) failed: OpenAI answered 401: Incorrect API key provided: ***.; it routes its declared and configured models only.',
    ]);
    expect(warnings.join('\n')).not.toContain(KEY);
  });

  it('a listing that never answers ends at the start time limit, and its request is closed', async () => {
    const silent = await server({ modelsFault: 'hang' });
    const manager = await openai({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: silent.baseUrl, OPENAI_LIST_MODELS: 'on', OPENAI_MODELS: 'mine' }, { timeouts: { start: 300 } });
    await manager.startExtension('openai');
    expect(warnings).toEqual(['Extension "openai": listModels() did not answer within 300 ms (the start time limit); it routes its declared models only.']);
    expect(manager.modelRouter.findExtensionForModel('mine')).toBeUndefined();
    expect(manager.modelRouter.findExtensionForModel('gpt-4o')).toBe('openai');
    const listing = silent.seen.find((s) => s.url === '/v1/models')!;
    await new Promise((done) => setTimeout(done, 50));
    expect(listing.closedEarly).toBe(true);
  });
});
