import { describe, expect, it } from '@jest/globals';
import { accountingHeaders, answered } from '../../src/gateway/accounting.js';
import type { RouteAttempt } from '../../src/provider/chat.interface.js';

const attempt = (extension: string, model: string, outcome: RouteAttempt['outcome'] = 'ok'): RouteAttempt => ({ extension, model, outcome, ms: 1 });

describe('the accounting headers: who answered, and the attempts per route', () => {
  it('names the one attempt that answered', () => {
    const attempts = [attempt('mock', 'mock-chat')];
    expect(accountingHeaders(attempts, answered(attempts))).toEqual({ 'x-gleitzeit-extension': 'mock', 'x-gleitzeit-attempts': 'mock/mock-chat=1' });
    // Header order on the wire: the extension first.
    expect(Object.keys(accountingHeaders(attempts, answered(attempts)))).toEqual(['x-gleitzeit-extension', 'x-gleitzeit-attempts']);
  });

  it('counts retries and fallbacks per route in the order tried, skipped routes at 0, and an attempt still under way', () => {
    const attempts = [attempt('mock', 'mock-chat', 'transient'), attempt('mock', 'mock-chat', 'transient'), attempt('open', 'gpt', 'skipped'), attempt('backup', 'mock-chat')];
    expect(accountingHeaders(attempts, answered(attempts))).toEqual({ 'x-gleitzeit-extension': 'backup', 'x-gleitzeit-attempts': 'mock/mock-chat=2, open/gpt=0, backup/mock-chat=1' });
    // A stream's headers go out while its attempt runs: that attempt counts, once.
    const failedOnce = [attempt('mock', 'mock-chat', 'transient')];
    expect(accountingHeaders(failedOnce, { extension: 'backup', model: 'mock-chat' })).toEqual({ 'x-gleitzeit-extension': 'backup', 'x-gleitzeit-attempts': 'mock/mock-chat=1, backup/mock-chat=1' });
    expect(accountingHeaders([], { extension: 'mock', model: 'mock-chat' })).toEqual({ 'x-gleitzeit-extension': 'mock', 'x-gleitzeit-attempts': 'mock/mock-chat=1' });
    expect(accountingHeaders(undefined)).toEqual({});
  });

  it('keeps a header printable and short, whatever a model name holds', () => {
    const attempts = [attempt('mock', `m\u00e9\n${'x'.repeat(2000)}`)];
    const headers = accountingHeaders(attempts, answered(attempts));
    expect(headers['x-gleitzeit-attempts']).toMatch(/^mock\/m\?\?x+$/);
    expect(headers['x-gleitzeit-attempts']).toHaveLength(1000);
  });
});
