import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { appGateway, ask, attemptsOf, answeredBy, plain, rejection, streamed, upstreamServer } from './support.js';

/*
 * Issue 11, behaviours 1 and 2, through /v1/chat/completions with the official openai client:
 * transient errors retry on the same route, politely; errors a retry cannot fix are not retried.
 * The gateway app serves mock and openai (a local fake OpenAI server that injects the faults).
 */

let upstream: Awaited<ReturnType<typeof upstreamServer>>;
let gateway: Awaited<ReturnType<typeof appGateway>>;
/** gpt-4o falls back to mock (smaller context), then gpt-4.1 (larger context). */
const RESILIENCE = { backoffMs: 20, totalMs: 2000, breaker: false as const, fallbacks: { 'gpt-4o': ['mock', 'gpt-4.1'] } };

beforeAll(async () => {
  upstream = await upstreamServer();
  gateway = await appGateway(upstream, RESILIENCE);
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => {
  upstream.seen.length = 0;
  upstream.times.length = 0;
});

const MODES = ['plain', 'stream'] as const;
type Mode = (typeof MODES)[number];
/** One request in either mode: the text, the model that answered and the response headers. */
async function call(mode: Mode, params: ReturnType<typeof ask>) {
  if (mode === 'plain') {
    const { answer, headers } = await plain(gateway.client, params);
    return { text: answer.choices[0].message.content, model: answer.model, finish: answer.choices[0].finish_reason, headers };
  }
  const s = await streamed(gateway.client, params);
  expect(s.error).toBeUndefined();
  return { text: s.text, model: s.models.at(-1), finish: s.finish, headers: s.headers };
}
const failed = (mode: Mode, params: ReturnType<typeof ask>) => rejection(mode === 'plain' ? plain(gateway.client, params) : streamed(gateway.client, params));
const gap = (from: number, to: number) => upstream.times[to] - upstream.times[from];

describe('1. transient errors retry on the same route, politely', () => {
  it.each(MODES)('%s: two 500s, then an answer from the same route; never a third attempt within 1.5 s of the first', async (mode) => {
    upstream.failNext(2, '500');
    const answer = await call(mode, ask('gpt-4o', 'hello'));
    expect(answer).toMatchObject({ text: 'openai says hello', model: 'gpt-4o-2024-08-06', finish: 'stop' });
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=3');
    expect(answeredBy(answer.headers)).toBe('openai');
    expect(upstream.chats()).toHaveLength(3);
    expect(gap(0, 2)).toBeGreaterThanOrEqual(1500);
  });

  it.each(MODES)('%s: a connection reset before any byte is retried', async (mode) => {
    upstream.failNext(1, 'reset');
    const answer = await call(mode, ask('gpt-4o', 'again'));
    expect(answer.text).toBe('openai says again');
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=2');
  });

  it.each(MODES)('%s: retry-after-ms (429) and Retry-After (503) are waited for at least', async (mode) => {
    upstream.failNext(1, 'rate-ms');
    expect((await call(mode, ask('gpt-4o', 'slow'))).text).toBe('openai says slow');
    expect(gap(0, 1)).toBeGreaterThanOrEqual(1500);
    upstream.failNext(1, '503');
    const answer = await call(mode, ask('gpt-4o', 'later'));
    expect(answer.text).toBe('openai says later');
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=2');
    expect(gap(2, 3)).toBeGreaterThanOrEqual(1000);
  });

  it.each(MODES)('%s: retries are bounded (2 by default), then the chain goes on', async (mode) => {
    upstream.failNext(3, '500');
    const answer = await call(mode, ask('gpt-4o', 'bounded'));
    expect(answer).toMatchObject({ text: 'bounded', model: 'mock-chat' });
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=3, mock/mock-chat=1');
    expect(answeredBy(answer.headers)).toBe('mock');
    expect(gap(0, 2)).toBeGreaterThanOrEqual(1500);
  });

  it.each(MODES)('%s: a Retry-After past the remaining budget fails over instead of waiting', async (mode) => {
    upstream.failNext(1, 'rate'); // retry-after: 2 s, the budget (totalMs) is 2 s
    const answer = await call(mode, ask('gpt-4o', 'impatient'));
    expect(answer).toMatchObject({ text: 'impatient', model: 'mock-chat' });
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=1, mock/mock-chat=1');
    expect(upstream.chats()).toHaveLength(1);
  });
});

describe('2. errors a retry cannot fix are not retried on the same model', () => {
  it.each(MODES)('%s: context length goes only to a fallback with a larger context (gpt-4.1, not mock)', async (mode) => {
    upstream.failNext(1, 'long');
    const answer = await call(mode, ask('gpt-4o', 'big'));
    expect(answer).toMatchObject({ text: 'openai says big', model: 'gpt-4.1-2024-08-06' });
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=1, openai/gpt-4.1=1');
    expect(upstream.chats().map((s) => s.body.model)).toEqual(['gpt-4o', 'gpt-4.1']);
  });

  it.each(MODES)('%s: context length with no larger fallback fails cleanly: 400 with the code, one attempt', async (mode) => {
    const error = await failed(mode, ask('gpt-4.1', 'long'));
    expect(error.status).toBe(400);
    expect(error.code).toBe('context_length_exceeded');
    expect(error.message).toContain('maximum context length');
    expect(attemptsOf(error.headers)).toBe('openai/gpt-4.1=1');
    expect(upstream.chats()).toHaveLength(1);
  });

  it.each(MODES)('%s: a content-policy refusal goes to the caller with the reason, not to the fallback', async (mode) => {
    const error = await failed(mode, ask('gpt-4o', 'content-policy'));
    expect(error.status).toBe(400);
    expect(error.code).toBe('content_filter');
    expect(error.message).toContain('safety system');
    expect(attemptsOf(error.headers)).toBe('openai/gpt-4o=1');
  });

  it.each(MODES)('%s: 401, 403 and 404 are not retried: one request, then the fallback answers', async (mode) => {
    for (const fault of ['auth', '403', '404'] as const) {
      upstream.seen.length = 0;
      upstream.failNext(1, fault);
      const answer = await call(mode, ask('gpt-4o', 'who'));
      expect(answer).toMatchObject({ text: 'who', model: 'mock-chat' });
      expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=1, mock/mock-chat=1');
      expect(upstream.chats()).toHaveLength(1);
    }
  });

  it.each(MODES)('%s: with no fallback, 401, 403 and 404 reach the caller after one attempt', async (mode) => {
    for (const [fault, status] of [['auth', 502], ['403', 502], ['404', 404]] as const) {
      upstream.seen.length = 0;
      const error = await failed(mode, ask('gpt-4o-mini', fault));
      expect(error.status).toBe(status);
      expect(attemptsOf(error.headers)).toBe('openai/gpt-4o-mini=1');
      expect(upstream.chats()).toHaveLength(1);
    }
  });
});

describe('2. content policy with failoverOnContentPolicy', () => {
  let other: Awaited<ReturnType<typeof appGateway>>;
  beforeAll(async () => void (other = await appGateway(upstream, { ...RESILIENCE, failoverOnContentPolicy: true })));
  afterAll(async () => other?.close());

  it.each(MODES)('%s: the refusal fails over to the next route', async (mode) => {
    const params = ask('gpt-4o', 'content-policy');
    const answer = mode === 'plain' ? await plain(other.client, params) : await streamed(other.client, params);
    const text = 'answer' in answer ? answer.answer.choices[0].message.content : answer.text;
    expect(text).toBe('content-policy');
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=1, mock/mock-chat=1');
  });
});
