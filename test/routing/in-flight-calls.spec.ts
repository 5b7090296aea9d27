import { describe, expect, it } from '@jest/globals';
import { InFlightCalls } from '../../src/routing/in-flight-calls.js';

describe('InFlightCalls: the router\'s calls in flight', () => {
  it('counts calls that end in any order, once each, and a drain aborts exactly those still in flight', async () => {
    const calls = new InFlightCalls();
    const [a, b, c, d] = [calls.open(), calls.open(), calls.open(), calls.open()];
    expect(calls.size).toBe(4);
    b.end(); // a middle one
    d.end(); // the newest
    d.end(); // twice: counted once
    expect(calls.size).toBe(2);
    const drained = await calls.drain(10, (call) => new Error(`drained ${call === a ? 'a' : call === c ? 'c' : '?'}`));
    expect(drained).toEqual({ finished: 0, aborted: 2 });
    expect([a.aborted, b.aborted, c.aborted, d.aborted]).toEqual([true, false, true, false]);
    expect([(a.drainError as Error).message, (c.drainError as Error).message]).toEqual(['drained a', 'drained c']);
    a.end();
    c.end();
    expect(calls.size).toBe(0);
    // Calls opened after those ended are counted as before.
    const e = calls.open();
    expect(calls.size).toBe(1);
    const waiting = calls.drain(5_000, () => new Error('not expected'));
    e.end();
    await expect(waiting).resolves.toEqual({ finished: 1, aborted: 0 });
    expect(calls.size).toBe(0);
  });

  it('keeps nothing of the calls that ended: ten thousand calls through leave none counted', () => {
    const calls = new InFlightCalls();
    for (let i = 0; i < 10_000; i++) {
      const held = [calls.open(), calls.open(), calls.open()];
      held[i % 3].end();
      for (const call of held) call.end();
    }
    expect(calls.size).toBe(0);
  });
});
