import { afterEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import request from 'supertest';
import { ALICE, BOB, FIVE_WORDS, PRICED, bearer, keyedGateway, keysFile } from './access-support.js';
import { readStream } from './support.js';

/*
 * Tokens per minute and spend budgets, counted from the usage each answer reports (the mock counts a
 * word a token: FIVE_WORDS costs 10) at the answering model's costPerToken (the `priced` fixture:
 * 0.001 USD, so 0.01 USD a request). Plain answers count when they are sent, streamed ones when they end.
 */

const CAROL = 'sk-carol-61d0b2a9e84c7f35';
const DAVE = 'sk-dave-0c9e5a7b13f2d846';

let gateway: Awaited<ReturnType<typeof keyedGateway>> | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function pricedGateway(env: Record<string, string> = {}) {
  const file = keysFile(
    [
      'keys:',
      `  - { name: tokens, key: ${ALICE}, tpm: 25 }`,
      `  - { name: daily, key: ${BOB}, dailyBudgetUsd: 0.025 }`,
      `  - { name: monthly, key: ${CAROL}, monthlyBudgetUsd: 0.015 }`,
      `  - { name: roomy, key: ${DAVE}, tpm: 1000 }`,
    ].join('\n'),
  );
  gateway = await keyedGateway({ GLEITZEIT_EXTENSIONS: 'priced', GLEITZEIT_EXTENSIONS_PATH: PRICED, GATEWAY_KEYS_FILE: file, ...env });
  const client = (key: string) => new OpenAI({ apiKey: key, baseURL: `${gateway!.url}/v1`, maxRetries: 0 });
  return { http: request(gateway.url), client };
}

const plain = (http: ReturnType<typeof request>, key: string) => http.post('/v1/chat/completions').set(bearer(key)).send(FIVE_WORDS('priced'));

/** A streamed answer read to its end through the official client; its usage as the gateway reports it. */
async function streamed(client: OpenAI) {
  const answer = await readStream(await client.chat.completions.create({ ...FIVE_WORDS('priced'), stream: true, stream_options: { include_usage: true } } as OpenAI.Chat.ChatCompletionCreateParamsStreaming));
  expect(answer.text).toBe('one two three four five');
  return answer.usage;
}

const secondsUntil = (end: number) => Math.ceil((end - Date.now()) / 1000);

describe('tokens per minute', () => {
  it('counts plain and streamed answers, a stream when it ends, and refuses past the limit with 429 and x-ratelimit-*-tokens', async () => {
    const { http, client } = await pricedGateway({ MOCK_TOKEN_DELAY_MS: '100' });
    const first = await plain(http, ALICE).expect(200);
    expect(first.body.usage.total_tokens).toBe(10);
    expect(first.headers).toMatchObject({ 'x-ratelimit-limit-tokens': '25', 'x-ratelimit-remaining-tokens': '25' });

    // While a stream runs its tokens are not counted; when it ends, they are.
    const stream = await client(ALICE).chat.completions.create({ ...FIVE_WORDS('priced'), stream: true } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const during = await plain(http, ALICE).expect(200);
    expect(during.headers['x-ratelimit-remaining-tokens']).toBe('15');
    while (!(await iterator.next()).done);
    const after = await http.get('/v1/models').set(bearer(ALICE)).expect(200);
    expect(after.headers['x-ratelimit-remaining-tokens']).toBeUndefined();
    const over = await plain(http, ALICE).expect(429);
    expect(over.body.error).toEqual({ message: expect.stringMatching(/^Rate limit reached for key "tokens" on tokens per minute \(TPM\): limit 25, used 30\. Try again in [\d.]+s\.$/), type: 'tokens', param: null, code: 'rate_limit_exceeded' });
    expect(over.headers).toMatchObject({ 'x-ratelimit-limit-tokens': '25', 'x-ratelimit-remaining-tokens': '0' });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(50);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
    // A stream past the limit is refused with a real status, before any event.
    await expect(streamed(client(ALICE))).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('counts a stream the client left early by what it had sent (about 4 characters a token): leaving costs tokens too', async () => {
    const { http, client } = await pricedGateway({ MOCK_TOKEN_DELAY_MS: '200' });
    const controller = new AbortController();
    const stream = await client(DAVE).chat.completions.create({ ...FIVE_WORDS('priced'), stream: true } as OpenAI.Chat.ChatCompletionCreateParamsStreaming, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    await iterator.next().catch(() => undefined);
    // The server notices the closed connection and counts: the prompt's 23 characters and what was sent.
    let remaining = 1000;
    for (let i = 0; i < 50 && remaining === 1000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      remaining = Number((await plain(http, DAVE).expect(200)).headers['x-ratelimit-remaining-tokens']) + 10 * i;
    }
    expect(remaining).toBeLessThan(1000);
    expect(remaining).toBeGreaterThanOrEqual(1000 - 10);
  });
});

describe('spend budgets', () => {
  it('refuses a key past its daily budget with 429 budget_exceeded until the UTC day ends, counting plain and streamed answers', async () => {
    const { http, client } = await pricedGateway();
    expect(await streamed(client(BOB))).toMatchObject({ total_tokens: 10 });
    await plain(http, BOB).expect(200);
    await plain(http, BOB).expect(200); // 0.02 USD spent: under 0.025, so this one runs, and takes it to 0.03.
    const over = await plain(http, BOB).expect(429);
    expect(over.body.error).toEqual({
      message: expect.stringMatching(/^Key "daily" has spent its daily budget of \$0\.03 \(UTC day\)\. It renews in \S+\.$/),
      type: 'insufficient_quota',
      param: null,
      code: 'budget_exceeded',
    });
    const midnight = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1);
    expect(Math.abs(Number(over.headers['retry-after']) - secondsUntil(midnight))).toBeLessThanOrEqual(2);
    await expect(streamed(client(BOB))).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    // Other keys spend on their own.
    await plain(http, DAVE).expect(200);
  });

  it('refuses a key past its monthly budget until the UTC month ends', async () => {
    const { http, client } = await pricedGateway();
    await plain(http, CAROL).expect(200);
    await streamed(client(CAROL));
    const over = await plain(http, CAROL).expect(429);
    expect(over.body.error).toMatchObject({ code: 'budget_exceeded', message: expect.stringContaining('monthly budget of $0.01 (UTC month)') });
    const now = new Date();
    expect(Math.abs(Number(over.headers['retry-after']) - secondsUntil(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)))).toBeLessThanOrEqual(2);
  });

  it('spends nothing on a model without a price', async () => {
    const file = keysFile(`keys:\n  - { name: daily, key: ${BOB}, dailyBudgetUsd: 0.000001 }\n`);
    gateway = await keyedGateway({ GATEWAY_KEYS_FILE: file });
    const http = request(gateway.url);
    for (let i = 0; i < 3; i++) await plain(http, BOB).send(FIVE_WORDS('mock')).expect(200);
  });
});
