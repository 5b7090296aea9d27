import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { answeredBy, appGateway, ask, attemptsOf, plain, rejection, streamed, upstreamServer } from './support.js';
import { collectSdkParseErrors } from '../support/sdk-console.js';

/*
 * Issue 11, behaviour 7: accounting. The answer names the model that answered and carries that call's
 * usage; headers say who answered and the attempts per route; after every fault the next request
 * succeeds (leaks.spec.ts: no timer outlives a faulty request).
 */

let upstream: Awaited<ReturnType<typeof upstreamServer>>;
let gateway: Awaited<ReturnType<typeof appGateway>>;

const sdk = collectSdkParseErrors();

beforeAll(async () => {
  upstream = await upstreamServer();
  gateway = await appGateway(upstream, { backoffMs: 20, breaker: false, timeouts: { responseMs: 300, idleMs: 300 }, fallbacks: { 'gpt-4o': ['mock'] } });
});
afterAll(async () => {
  sdk.restore();
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => void (upstream.seen.length = 0));

const MODES = ['plain', 'stream'] as const;

describe('7. accounting through the gateway', () => {
  it.each(MODES)("%s: the fallback's model and its own usage; headers name it and count attempts per route", async (mode) => {
    upstream.failNext(1, 'auth');
    const params = ask('gpt-4o', 'two words');
    if (mode === 'plain') {
      const { answer, headers } = await plain(gateway.client, params);
      expect(answer.model).toBe('mock-chat');
      expect(answer.usage).toEqual({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
      expect([answeredBy(headers), attemptsOf(headers)]).toEqual(['mock', 'openai/gpt-4o=1, mock/mock-chat=1']);
    } else {
      const s = await streamed(gateway.client, params);
      expect(s.models).toEqual(['mock-chat']);
      expect(s.usage).toEqual({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
      expect([answeredBy(s.headers), attemptsOf(s.headers)]).toEqual(['mock', 'openai/gpt-4o=1, mock/mock-chat=1']);
    }
  });

  it.each(MODES)('%s: a retried route counts each attempt; usage is the answering call only', async (mode) => {
    upstream.failNext(1, '500');
    const params = ask('gpt-4o', 'counted');
    const result = mode === 'plain' ? await plain(gateway.client, params) : await streamed(gateway.client, params);
    const usage = 'answer' in result ? result.answer.usage : result.usage;
    expect(usage).toEqual({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    expect([answeredBy(result.headers), attemptsOf(result.headers)]).toEqual(['openai', 'openai/gpt-4o=2']);
  });

  it.each(MODES)('%s: errors carry the attempts too', async (mode) => {
    const params = ask('gpt-4o-mini', 'auth');
    const error = await rejection(mode === 'plain' ? plain(gateway.client, params) : streamed(gateway.client, params));
    expect(attemptsOf(error.headers)).toBe('openai/gpt-4o-mini=1');
  });

  it.each(MODES)('%s: after every fault the next request succeeds', async (mode) => {
    const send = (params: ReturnType<typeof ask>) => (mode === 'plain' ? plain(gateway.client, params) : streamed(gateway.client, params));
    for (const fault of ['auth', '403', 'reset', 'long', 'content-policy', 'hang', 'stall', 'die', 'malformed', 'no-done', 'stream-error'] as const) {
      upstream.failNext(1, fault);
      await send(ask('gpt-4o-mini', 'faulty')).catch(() => undefined);
      const ok = await send(ask('gpt-4o-mini', `after ${fault}`));
      expect('answer' in ok ? ok.answer.choices[0].message.content : ok.text).toBe(`openai says after ${fault}`);
    }
    // The malformed event, streamed: the SDK's two lines about it, collected instead of printed.
    expect(sdk.logged).toEqual(mode === 'plain' ? [] : ['Could not parse message into JSON:', 'From chunk:']);
    sdk.logged.length = 0;
  });
});
