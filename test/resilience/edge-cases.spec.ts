import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ExtensionManager, SHIPPED_EXTENSIONS, type ChatChunk, type ResilienceOptions } from '../../src/index.js';
import { appFixture } from '../support/boot.js';
import { ask, collect } from '../support/mock.js';

/*
 * Edge cases an attack on the resilience layer found: a breaker probe abandoned mid-stream, a huge
 * Retry-After after a stream began, a failure after the finish reason, and a budget that ran out on a
 * healthy fallback.
 */

let manager: ExtensionManager | undefined;
/** The manager here runs outside Nest and logs breaker transitions through Nest's Logger: collected and asserted. */
let warnings: string[] = [];
let warn: ReturnType<typeof jest.spyOn>;
beforeEach(() => {
  warnings = [];
  warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
});
afterEach(async () => {
  warn.mockRestore();
  await manager?.stopAllExtensions();
  manager = undefined;
});

async function routerWith(resilience: ResilienceOptions, mock: Record<string, unknown>, others: string[] = []) {
  manager = new ExtensionManager({ resilience }, { env: () => undefined });
  await manager.discoverExtensions([SHIPPED_EXTENSIONS, appFixture('calls')]);
  await manager.loadExtension('mock', mock);
  for (const name of others) await manager.loadExtension(name);
  return manager.modelRouter;
}

describe('resilience edge cases', () => {
  it('releases a half-open probe whose stream the consumer leaves mid-answer', async () => {
    const router = await routerWith({ retries: 0, sameModelFallback: false, breaker: { failures: 1, coolDownMs: 50 } }, { failFirst: 1 });
    await expect(router.chat(ask('x'))).rejects.toMatchObject({ status: 503 });
    expect(router.breakers.state('mock:mock-chat')).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 60));
    // The probe: a stream left after its first content.
    for await (const chunk of router.chatStream(ask('one two three'))) if (chunk.delta?.content) break;
    expect(router.breakers.state('mock:mock-chat')).toBe('half-open');
    // Another request may probe now, and its success closes the breaker.
    await expect(router.chat(ask('back'))).resolves.toMatchObject({ message: { content: 'back' } });
    expect(router.breakers.state('mock:mock-chat')).toBe('closed');
    expect(warnings.map((w) => /: (\S+ -> \S+)/.exec(w)?.[1])).toEqual(['closed -> open', 'open -> half-open', 'half-open -> closed']);
  });

  it('does not wait out a Retry-After longer than the idle limit once a stream has begun', async () => {
    const router = await routerWith({ retries: 2, sameModelFallback: false, breaker: false, timeouts: { idleMs: 1000 } }, { failAfterTokens: 2, retryAfterMs: 600_000 });
    const began = performance.now();
    const error = await collect(router.chatStream(ask('one two three four'))).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, retryAfterMs: 600_000 });
    expect(performance.now() - began).toBeLessThan(5000);
  });

  it('keeps an answer whose finish reason came before the provider failed: no repeat, usage estimated', async () => {
    const router = await routerWith({ retries: 2, breaker: false }, {}, ['finisher']);
    const stream = router.chatStream({ model: 'finisher-model', messages: [{ role: 'user', content: 'hi' }] });
    const chunks: ChatChunk[] = await collect(stream);
    expect(chunks.map((c) => c.delta?.content ?? '').join('')).toBe('all done');
    expect(chunks.filter((c) => c.finishReason)).toHaveLength(1);
    expect(chunks.at(-1)!.usage).toMatchObject({ estimated: true });
    expect(stream.attempts.map((a) => a.outcome)).toEqual(['ok']);
    expect(manager!.getInstance<{ calls: number }>('finisher')!.calls).toBe(1);
  });

  it("does not blame a healthy fallback's breaker for the budget the others used up", async () => {
    const resilience = { retries: 0, totalMs: 300, timeouts: { responseMs: 250 }, fallbacks: { 'mock-chat': ['sluggish-model'] }, breaker: { failures: 1, coolDownMs: 10_000 } };
    const router = await routerWith(resilience, { hang: true }, ['sluggish']);
    await expect(router.chat(ask('x'))).rejects.toMatchObject({ code: 'EXT_ERR_TIMEOUT' });
    expect(router.breakers.state('mock:mock-chat')).toBe('open');
    expect(router.breakers.state('sluggish:sluggish-model')).toBe('closed');
    expect(warnings).toEqual([expect.stringMatching(/^Circuit breaker mock:mock-chat: closed -> open .*did not answer within 250 ms/)]);
  });
});
