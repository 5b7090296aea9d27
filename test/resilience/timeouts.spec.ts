import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { answeredBy, appGateway, ask, attemptsOf, plain, rejection, streamed, upstreamServer } from './support.js';

/*
 * Issue 11, behaviour 3: timeouts are real and end the call. Each ends its attempt, the request fails
 * over at once (a route that went silent is not asked again), and the provider sees its connection
 * closed. Each limit is set globally, per extension or per model.
 */

let upstream: Awaited<ReturnType<typeof upstreamServer>>;
beforeAll(async () => void (upstream = await upstreamServer()));
afterAll(async () => upstream?.close());
beforeEach(() => {
  upstream.seen.length = 0;
});

const MODES = ['plain', 'stream'] as const;
type Gateway = Awaited<ReturnType<typeof appGateway>>;
const send = (gateway: Gateway, mode: (typeof MODES)[number], params: ReturnType<typeof ask>) => (mode === 'plain' ? plain(gateway.client, params) : streamed(gateway.client, params));
const textOf = (answer: Awaited<ReturnType<typeof send>>) => ('answer' in answer ? answer.answer.choices[0].message.content : answer.text);
/** The fake server saw the client close the connection of every chat request (it waits for the close a moment). */
async function closedEarly() {
  for (let i = 0; i < 50 && upstream.chats().some((s) => s.closedEarly !== true); i++) await sleep(10);
  return upstream.chats().map((s) => s.closedEarly);
}

describe('global limits: responseMs and idleMs', () => {
  let gateway: Gateway;
  const began = { at: 0 };
  beforeAll(async () => {
    gateway = await appGateway(upstream, { backoffMs: 20, breaker: false, timeouts: { responseMs: 300, firstTokenMs: 20_000, idleMs: 300 }, fallbacks: { 'gpt-4o': ['mock'] } });
  });
  afterAll(async () => gateway?.close());
  beforeEach(() => void (began.at = Date.now()));

  it.each(MODES)('%s: a provider that does not answer is aborted at responseMs and the request fails over at once, not retried', async (mode) => {
    const answer = await send(gateway, mode, ask('gpt-4o', 'hang'));
    expect(textOf(answer)).toBe('hang');
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=1, mock/mock-chat=1');
    expect(Date.now() - began.at).toBeGreaterThanOrEqual(300);
    expect(upstream.chats()).toHaveLength(1);
    expect(await closedEarly()).toEqual([true]);
  });

  it('stream: a provider that goes silent after content is aborted at idleMs; the fallback continues the answer', async () => {
    upstream.failNext(1, 'stall'); // sends "wait", then nothing
    const answer = await streamed(gateway.client, ask('gpt-4o', 'wait for it'));
    expect(answer).toMatchObject({ text: 'wait for it', finish: 'stop', error: undefined });
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=1');
    expect(upstream.chats()).toHaveLength(1);
    expect(await closedEarly()).toEqual([true]);
  });
});

describe('per extension: firstTokenMs of mock', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    // The mock sends its role chunk, then no token: only mock's own firstTokenMs can end that.
    gateway = await appGateway(
      upstream,
      { backoffMs: 20, breaker: false, timeouts: { responseMs: 20_000, firstTokenMs: 20_000, idleMs: 20_000 }, extensionTimeouts: { mock: { firstTokenMs: 300 } }, fallbacks: { mock: ['gpt-4o'] } },
      { MOCK_STALL_AFTER_TOKENS: '0' },
    );
  });
  afterAll(async () => gateway?.close());

  it('stream: a route that sends no token within firstTokenMs is aborted; the next route answers, mock is not asked again', async () => {
    const began = Date.now();
    const answer = await streamed(gateway.client, ask('mock', 'first'));
    expect(answer).toMatchObject({ text: 'openai says first', finish: 'stop', error: undefined });
    expect(Date.now() - began).toBeGreaterThanOrEqual(300);
    // Nothing of mock's attempt reached the caller: not its role chunk, not its model, not its name.
    expect(attemptsOf(answer.headers)).toBe('mock/mock-chat=1, openai/gpt-4o=1');
    expect(answeredBy(answer.headers)).toBe('openai');
    expect(answer.models).toEqual(['gpt-4o-2024-08-06']);
  });

  it('plain: firstTokenMs is for streams; a plain call of the same route answers', async () => {
    const { answer, headers } = await plain(gateway.client, ask('mock', 'plain'));
    expect(answer.choices[0].message.content).toBe('plain');
    expect(attemptsOf(headers)).toBe('mock/mock-chat=1');
  });
});

describe('per model: responseMs of gpt-4o-mini; the total budget', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await appGateway(upstream, { backoffMs: 20, breaker: false, totalMs: 600, timeouts: { responseMs: 20_000 }, modelTimeouts: { 'gpt-4o-mini': { responseMs: 200 } } });
  });
  afterAll(async () => gateway?.close());

  it.each(MODES)('%s: the model limit ends the attempt (504, naming responseMs), the provider sees the connection closed', async (mode) => {
    const error = await rejection(send(gateway, mode, ask('gpt-4o-mini', 'hang')));
    expect(error.status).toBe(504);
    expect(error.message).toContain('200 ms (resilience.timeouts.responseMs)');
    expect(attemptsOf(error.headers)).toBe('openai/gpt-4o-mini=1');
    expect(await closedEarly()).toEqual([true]);
  });

  it.each(MODES)('%s: past totalMs the request ends with a 504 naming the budget, the provider sees the connection closed', async (mode) => {
    const began = Date.now();
    const error = await rejection(send(gateway, mode, ask('gpt-4o', 'hang')));
    expect(Date.now() - began).toBeGreaterThanOrEqual(600);
    expect(error.status).toBe(504);
    expect(error.message).toContain('total budget (resilience.totalMs, 600 ms)');
    expect(await closedEarly()).toEqual([true]);
  });

  it.each(MODES)('%s: after the timeouts the next request succeeds', async (mode) => {
    expect(textOf(await send(gateway, mode, ask('gpt-4o', 'fine')))).toBe('openai says fine');
  });
});
