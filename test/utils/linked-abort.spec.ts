import { describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { AbortScope, LinkedAbort, signalOptions } from '../../src/utils/linked-abort.js';
import { raceSignal } from '../../src/utils/race-signal.js';

/* An attempt's abort under its call's: forwarding, a signal made on demand, and listeners that go. */

describe('LinkedAbort', () => {
  it("aborts with its parent's reason, and its signal (made before or after) says so", () => {
    const parent = new AbortScope();
    const early = new LinkedAbort(parent);
    const signal = early.signal;
    const late = new LinkedAbort(parent);
    const reason = new Error('the call ended');
    parent.abort(reason);
    expect([early.aborted, early.reason, signal.aborted, signal.reason]).toEqual([true, reason, true, reason]);
    expect([late.aborted, late.signal.aborted, late.signal.reason]).toEqual([true, true, reason]);
  });

  it('is aborted at once under a parent that already is, and leaves the parent alone when it aborts itself', () => {
    const done = new AbortScope();
    done.abort('gone');
    expect(new LinkedAbort(done).reason).toBe('gone');
    const parent = new AbortScope();
    const child = new LinkedAbort(parent);
    child.abort(new Error('attempt timed out'));
    expect([child.aborted, parent.aborted]).toEqual([true, false]);
  });

  it('drops its listener on the parent when disposed: a later abort of the parent does not reach it', () => {
    const parent = new AbortScope();
    const child = new LinkedAbort(parent);
    child.dispose();
    parent.abort('late');
    expect(child.aborted).toBe(false);
  });

  it('is what a race listens on: the signal handed to a provider gets no listener of the race, and the race still ends on abort', async () => {
    const child = new LinkedAbort(new AbortScope());
    const signal = child.signal;
    const race = raceSignal(new Promise<never>(() => undefined), child);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    const reason = new Error('stop');
    child.abort(reason);
    await expect(race).rejects.toBe(reason);
    expect(signal.reason).toBe(reason);
  });
});

describe('signalOptions: a provider call\'s options', () => {
  it('makes the signal when first read, the same one after, aborted with the scope; a spread copies it; a provider may assign its own', () => {
    const scope = new LinkedAbort();
    const options = signalOptions(scope);
    const signal = options.signal;
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(options.signal).toBe(signal);
    expect({ ...options }.signal).toBe(signal);
    const reason = new Error('enough');
    scope.abort(reason);
    expect(signal.reason).toBe(reason);
    const own = new AbortController().signal;
    options.signal = own;
    expect(options.signal).toBe(own);
    expect(Object.assign({}, options).signal).toBe(own);
  });
});
