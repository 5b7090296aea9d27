import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { answeredBy, ask, attemptsOf, endpoints, plain, rejection, streamed, testGateway, upstreamServer, weather } from './support.js';

/*
 * Issue 11, behaviour 4: fallbacks. A configured chain per model, a per-request `fallbacks` list in the
 * body, the other extensions that serve the same model, and only routes with the capabilities the
 * request needs. A test app: mock, backup (a second mock without function_calling), openai (cloud) and
 * ollama (local), which serves gpt-4o too.
 */

let cloud: Awaited<ReturnType<typeof upstreamServer>>;
let local: Awaited<ReturnType<typeof upstreamServer>>;
let gateway: Awaited<ReturnType<typeof testGateway>>;

beforeAll(async () => {
  [cloud, local] = await Promise.all([upstreamServer(), upstreamServer()]);
  gateway = await testGateway({
    extensions: ['mock', 'backup', 'openai', 'ollama'],
    extensionConfigs: endpoints(cloud, local),
    resilience: { retries: 0, backoffMs: 20, breaker: false, fallbacks: { 'gpt-4o-mini': ['mock', 'gpt-4o'] } },
  });
});
afterAll(async () => {
  await gateway?.close();
  await Promise.all([cloud?.close(), local?.close()]);
});
beforeEach(() => {
  cloud.seen.length = 0;
  local.seen.length = 0;
});

const MODES = ['plain', 'stream'] as const;
type Mode = (typeof MODES)[number];
async function call(mode: Mode, params: Record<string, unknown> & { model: string; messages: unknown[] }) {
  if (mode === 'plain') {
    const { answer, headers } = await plain(gateway.client, params);
    const message = answer.choices[0].message;
    return { text: message.content, tools: message.tool_calls?.map((c) => (c as any).function.name) ?? [], model: answer.model, headers };
  }
  const s = await streamed(gateway.client, params);
  expect(s.error).toBeUndefined();
  return { text: s.text, tools: s.calls.filter(Boolean), model: s.models.at(-1), headers: s.headers };
}

describe('4. fallbacks', () => {
  it.each(MODES)('%s: the configured chain is followed in order', async (mode) => {
    cloud.failNext(1, '500');
    const answer = await call(mode, ask('gpt-4o-mini', 'chain'));
    expect(answer).toMatchObject({ text: 'chain', model: 'mock-chat' });
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o-mini=1, mock/mock-chat=1');
    expect(answeredBy(answer.headers)).toBe('mock');
  });

  it.each(MODES)("%s: the request's own `fallbacks` replace the chain", async (mode) => {
    cloud.failNext(1, '500');
    const answer = await call(mode, ask('gpt-4o-mini', 'mine', { fallbacks: ['backup:mock-chat'] }));
    expect(answer).toMatchObject({ text: 'mine', model: 'mock-chat' });
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o-mini=1, backup/mock-chat=1');
    expect(answeredBy(answer.headers)).toBe('backup');
  });

  it.each(MODES)('%s: with no chain, another extension that serves the same model answers', async (mode) => {
    cloud.failNext(1, '500');
    const answer = await call(mode, ask('gpt-4o', 'same'));
    expect(answer.text).toBe('openai says same');
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=1, ollama/gpt-4o=1');
    expect(answeredBy(answer.headers)).toBe('ollama');
    expect(cloud.chats()).toHaveLength(1);
    expect(local.chats().map((s) => s.body.model)).toEqual(['gpt-4o']);
  });

  it.each(MODES)('%s: a fallback without function_calling is skipped for a request with tools', async (mode) => {
    const fallbacks = ['backup:mock-chat', 'mock'];
    cloud.failNext(1, '500');
    const tools = await call(mode, ask('gpt-4o-mini', 'weather?', { fallbacks, tools: [weather] }));
    expect(tools.tools).toEqual(['get_weather']);
    expect(attemptsOf(tools.headers)).toBe('openai/gpt-4o-mini=1, mock/mock-chat=1');
    // Without tools the same list goes to backup first.
    cloud.failNext(1, '500');
    const text = await call(mode, ask('gpt-4o-mini', 'no tools', { fallbacks }));
    expect(attemptsOf(text.headers)).toBe('openai/gpt-4o-mini=1, backup/mock-chat=1');
  });

  it.each(MODES)("%s: when every route fails, the caller hears the first failure, not a fallback's own refusal", async (mode) => {
    cloud.failNext(1, '503');
    local.failNext(1, 'long');
    const error = await rejection(call(mode, ask('gpt-4o', 'doomed')));
    expect(error.status).toBe(502);
    expect(error.error).toMatchObject({ extension: 'openai', provider_status: 503 });
    expect(error.message).toContain('overloaded');
    expect(error.message).not.toContain('context length');
    expect(attemptsOf(error.headers)).toBe('openai/gpt-4o=1, ollama/gpt-4o=1');
  });

  it.each(MODES)('%s: after the faults, the primary answers again', async (mode) => {
    const answer = await call(mode, ask('gpt-4o', 'back'));
    expect(answer.text).toBe('openai says back');
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=1');
  });
});
