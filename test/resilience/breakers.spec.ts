import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { ModelRouter } from '../../src/index.js';
import { answeredBy, appGateway, ask, attemptsOf, plain, rejection, streamed, upstreamServer } from './support.js';

/*
 * Issue 11, behaviour 5: circuit breakers per route. After `failures` in a row the route is skipped
 * (the provider sees no request); /health shows it degraded (200), router.explain() marks it, the log
 * has one line per change; after the cool-down one probe passes, and success brings traffic back.
 */

let upstream: Awaited<ReturnType<typeof upstreamServer>>;
let gateway: Awaited<ReturnType<typeof appGateway>>;
const COOL_DOWN = 400;

beforeAll(async () => {
  upstream = await upstreamServer();
  gateway = await appGateway(upstream, { retries: 0, backoffMs: 20, breaker: { failures: 2, coolDownMs: COOL_DOWN }, fallbacks: { 'gpt-4o': ['mock'] } });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => void (upstream.seen.length = 0));

const MODES = ['plain', 'stream'] as const;
type Mode = (typeof MODES)[number];
async function call(mode: Mode, params: ReturnType<typeof ask>) {
  if (mode === 'plain') {
    const { answer, headers } = await plain(gateway.client, params);
    return { text: answer.choices[0].message.content, headers };
  }
  const s = await streamed(gateway.client, params);
  expect(s.error).toBeUndefined();
  return { text: s.text, headers: s.headers };
}
const health = async () => {
  const response = await fetch(`${gateway.url}/health`);
  return { status: response.status, body: (await response.json()) as any };
};
const breakerLines = () => gateway.logs.lines.filter((line) => line.includes('Circuit breaker openai:gpt-4o'));

describe('5. circuit breakers', () => {
  it.each(MODES)('%s: open after 2 failures, skip, show, probe after the cool-down, close on success', async (mode) => {
    const router = gateway.app.get(ModelRouter);
    const logged = breakerLines().length;
    upstream.failNext(2, '500');
    for (let i = 0; i < 2; i++) expect((await call(mode, ask('gpt-4o', 'falling'))).text).toBe('falling');
    expect(breakerLines().slice(logged)).toEqual([expect.stringMatching(/^warn: Circuit breaker openai:gpt-4o: closed -> open \(2 failures in a row, the last: OpenAI answered 500/)]);

    // Open: the route is skipped, the provider sees nothing, the fallback answers.
    upstream.seen.length = 0;
    const skipped = await call(mode, ask('gpt-4o', 'skipped'));
    expect(skipped.text).toBe('skipped');
    expect(upstream.chats()).toHaveLength(0);
    expect(attemptsOf(skipped.headers)).toBe('openai/gpt-4o=0, mock/mock-chat=1');
    expect(answeredBy(skipped.headers)).toBe('mock');

    const open = await health();
    expect(open.status).toBe(200);
    expect(open.body.details.openai).toMatchObject({ status: 'degraded', breakers: { 'gpt-4o': { state: 'open', failures: 2, retryInMs: expect.any(Number) } } });
    expect(open.body.details.mock.status).toBe('up');
    const candidate = router.explain('gpt-4o').candidates.find((c) => c.extension === 'openai' && c.model === 'gpt-4o');
    expect(candidate).toMatchObject({ breaker: 'open', chosen: false, reason: expect.stringContaining('rejected: circuit breaker open') });

    // After the cool-down one probe passes; it fails: open again, skipped again.
    await sleep(COOL_DOWN + 50);
    upstream.failNext(1, '500');
    expect((await call(mode, ask('gpt-4o', 'probe'))).text).toBe('probe');
    expect(upstream.chats()).toHaveLength(1);
    expect((await call(mode, ask('gpt-4o', 'still open'))).text).toBe('still open');
    expect(upstream.chats()).toHaveLength(1);

    // The provider recovered: the next probe succeeds, the breaker closes, traffic returns.
    await sleep(COOL_DOWN + 50);
    const back = await call(mode, ask('gpt-4o', 'back'));
    expect(back.text).toBe('openai says back');
    expect(attemptsOf(back.headers)).toBe('openai/gpt-4o=1');
    expect((await call(mode, ask('gpt-4o', 'again'))).text).toBe('openai says again');
    expect(breakerLines().slice(logged).map((line) => /: (\S+ -> \S+) /.exec(line)?.[1])).toEqual(['closed -> open', 'open -> half-open', 'half-open -> open', 'open -> half-open', 'half-open -> closed']);

    const closed = await health();
    expect(closed.status).toBe(200);
    expect(closed.body.details.openai.status).toBe('up');
    expect(closed.body.details.openai.breakers).toBeUndefined();
    expect(router.explain('gpt-4o').candidates.find((c) => c.extension === 'openai' && c.model === 'gpt-4o')).toMatchObject({ chosen: true });
  });

  it.each(MODES)('%s: with no fallback, an open breaker answers 503 circuit_open at once; client errors never count', async (mode) => {
    const send = () => (mode === 'plain' ? plain(gateway.client, ask('gpt-4o-mini', 'x')) : streamed(gateway.client, ask('gpt-4o-mini', 'x')));
    // Client errors (content policy, context length) do not open it.
    for (const fault of ['content-policy', 'long', 'content-policy'] as const) {
      upstream.failNext(1, fault);
      await rejection(send());
    }
    expect(gateway.app.get(ModelRouter).breakers.state('openai:gpt-4o-mini')).toBe('closed');
    upstream.failNext(2, '500');
    await rejection(send());
    await rejection(send());
    upstream.seen.length = 0;
    const error = await rejection(send());
    expect(error.status).toBe(503);
    expect(error.code).toBe('circuit_open');
    expect(upstream.chats()).toHaveLength(0);
    await sleep(COOL_DOWN + 50);
    expect(await send()).toBeDefined();
  });
});
