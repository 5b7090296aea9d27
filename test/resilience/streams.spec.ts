import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { answeredBy, ask, attemptsOf, endpoints, rejection, streamed, testGateway, upstreamServer } from './support.js';
import { collectSdkParseErrors } from '../support/sdk-console.js';

/*
 * Issue 11, behaviour 6: stream integrity, through the official openai client. openai (cloud) fails
 * mid-answer; the answer goes on with mock (prefill) or ollama (the same model elsewhere, replayed);
 * when nothing can continue, the stream ends with an error event that carries the first failure.
 */

let cloud: Awaited<ReturnType<typeof upstreamServer>>;
let local: Awaited<ReturnType<typeof upstreamServer>>;
let gateway: Awaited<ReturnType<typeof testGateway>>;

const sdk = collectSdkParseErrors();

beforeAll(async () => {
  [cloud, local] = await Promise.all([upstreamServer(), upstreamServer()]);
  gateway = await testGateway({
    extensions: ['mock', 'backup', 'openai', 'ollama'],
    extensionConfigs: { ...endpoints(cloud, local), backup: { malformedChunk: true } },
    resilience: { retries: 0, backoffMs: 20, breaker: false },
  });
});
afterAll(async () => {
  sdk.restore();
  await gateway?.close();
  await Promise.all([cloud?.close(), local?.close()]);
});
beforeEach(() => {
  cloud.seen.length = 0;
  local.seen.length = 0;
});

describe('6. stream integrity', () => {
  it('a failure before any content restarts on the next route, unseen', async () => {
    cloud.failNext(1, 'reset');
    const answer = await streamed(gateway.client, ask('gpt-4o', 'hello'));
    expect(answer).toMatchObject({ text: 'openai says hello', finish: 'stop', error: undefined, usage: { total_tokens: 18 } });
    expect(answeredBy(answer.headers)).toBe('ollama');
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=1, ollama/gpt-4o=1');
  });

  it('after content, a prefill model continues the answer: one coherent text', async () => {
    cloud.failNext(1, 'die'); // "openai", " says", then the connection drops
    // mock answers the user's text: it begins with what was delivered, so its continuation is exact.
    const answer = await streamed(gateway.client, ask('gpt-4o', 'openai says continue', { fallbacks: ['mock'] }));
    expect(answer).toMatchObject({ text: 'openai says continue', finish: 'stop', error: undefined });
    // mock's own usage for the continuation: the prefill ("openai says") is in its prompt, one word is new.
    expect(answer.usage).toEqual({ prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 });
    // The headers went out with the first chunk, while openai was answering ("as of their first chunk");
    // the chunks name the model that sent them, so the answer ends in mock's name.
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=1');
    expect(answer.models).toEqual(['gpt-4o-2024-08-06', 'mock-chat']);
  });

  it('after content, a model without prefill replays the request and the delivered part is skipped', async () => {
    cloud.failNext(1, 'die');
    const answer = await streamed(gateway.client, ask('gpt-4o', 'replayed'));
    expect(answer).toMatchObject({ text: 'openai says replayed', finish: 'stop', error: undefined });
    expect(local.chats()).toHaveLength(1);
    expect(local.chats()[0].body.messages).toEqual([{ role: 'user', content: 'replayed' }]);
  });

  it("when no route can continue, the stream ends with an error event carrying the first failure: no finish reason, no [DONE]", async () => {
    cloud.failNext(1, 'die');
    local.failNext(1, 'long'); // the fallback's own refusal must not hide why the answer broke
    const answer = await streamed(gateway.client, ask('gpt-4o', 'broken'));
    expect(answer.text).toBe('openai says');
    expect(answer.finish).toBeNull();
    expect(answer.error).toBeDefined();
    expect(answer.error.message).toContain('dropped the connection while streaming');
    expect(answer.error.message).not.toContain('context length');
    expect(answer.usage).toBeUndefined();
  });

  it('a malformed chunk is skipped, not forwarded (mock)', async () => {
    const answer = await streamed(gateway.client, ask('backup:mock-chat', 'one two three'));
    expect(answer).toMatchObject({ text: 'one two three', finish: 'stop', error: undefined, usage: { total_tokens: 6 } });
    expect(attemptsOf(answer.headers)).toBe('backup/mock-chat=1');
  });

  it('an event that is not JSON ends the openai stream (its SDK cannot skip it): before content, the next route answers', async () => {
    sdk.logged.length = 0;
    cloud.failNext(1, 'malformed');
    const answer = await streamed(gateway.client, ask('gpt-4o', 'garbled'));
    expect(answer).toMatchObject({ text: 'openai says garbled', finish: 'stop', error: undefined });
    expect(sdk.logged).toEqual(['Could not parse message into JSON:', 'From chunk:']);
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=1, ollama/gpt-4o=1');
  });

  it('a stream that ends without [DONE] and usage is finalised at once, with usage estimated', async () => {
    cloud.failNext(1, 'no-done');
    const answer = await streamed(gateway.client, ask('gpt-4o', 'hello'));
    expect(answer).toMatchObject({ text: 'openai says hello', finish: 'stop', error: undefined });
    // 4 characters a token: "hello" is 2, "openai says hello" 5.
    expect(answer.usage).toEqual({ prompt_tokens: 2, completion_tokens: 5, total_tokens: 7, estimated: true });
    expect(attemptsOf(answer.headers)).toBe('openai/gpt-4o=1');
    expect(local.chats()).toHaveLength(0);
  });

  it('a failure before any content with no other route is a real HTTP error, not a stream', async () => {
    cloud.failNext(1, '500');
    const error = await rejection(streamed(gateway.client, ask('gpt-4o-mini', 'nothing')));
    expect(error.status).toBe(502);
    expect(attemptsOf(error.headers)).toBe('openai/gpt-4o-mini=1');
  });
});
