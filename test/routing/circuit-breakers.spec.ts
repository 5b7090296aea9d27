import { describe, expect, it } from '@jest/globals';
import { CircuitBreakers, type BreakerChange } from '../../src/routing/resilience/circuit-breakers.js';

function breakers(failures = 3, coolDownMs = 1000) {
  let now = 0;
  const changes: BreakerChange[] = [];
  const set = new CircuitBreakers(() => ({ failures, coolDownMs }), (c) => changes.push(c), () => now);
  return { set, changes, advance: (ms: number) => (now += ms) };
}

describe('circuit breakers', () => {
  it('open after N failures in a row, skip the route during the cool-down, then let exactly one probe through', () => {
    const { set, changes, advance } = breakers();
    set.failure('a:m', 'boom');
    set.failure('a:m', 'boom');
    expect(set.allow('a:m')).toBe(true);
    set.failure('a:m', '503');
    expect(set.state('a:m')).toBe('open');
    expect(set.allow('a:m')).toBe(false);
    expect(set.retryInMs('a:m')).toBe(1000);
    advance(999);
    expect(set.allow('a:m')).toBe(false);
    advance(1);
    expect(set.allow('a:m')).toBe(true);
    expect(set.state('a:m')).toBe('half-open');
    // One probe at a time: a second request meanwhile skips the route.
    expect(set.allow('a:m')).toBe(false);
    set.success('a:m');
    expect(set.state('a:m')).toBe('closed');
    expect(set.allow('a:m')).toBe(true);
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
    expect(changes[0].reason).toBe('3 failures in a row, the last: 503');
  });

  it('open again for another cool-down when the probe fails; a success resets the count', () => {
    const { set, changes, advance } = breakers(2);
    set.failure('a:m', 'x');
    set.success('a:m');
    set.failure('a:m', 'x');
    expect(set.state('a:m')).toBe('closed');
    set.failure('a:m', 'x');
    advance(1000);
    expect(set.allow('a:m')).toBe(true);
    set.failure('a:m', 'still down');
    expect(set.state('a:m')).toBe('open');
    expect(set.allow('a:m')).toBe(false);
    expect(changes.at(-1)!.reason).toBe('the probe failed: still down');
  });

  it('a probe that ends without a verdict lets another one try; other routes are unaffected; snapshots list only broken routes', () => {
    const { set, advance } = breakers(1);
    set.failure('a:m', 'x');
    advance(1000);
    expect(set.allow('a:m')).toBe(true);
    set.release('a:m');
    expect(set.allow('a:m')).toBe(true);
    expect(set.allow('b:m')).toBe(true);
    expect(Object.keys(set.snapshot())).toEqual(['a:m']);
    set.success('a:m');
    expect(set.snapshot()).toEqual({});
  });

  it('does nothing when turned off', () => {
    const set = new CircuitBreakers(() => false);
    for (let i = 0; i < 100; i++) set.failure('a:m', 'x');
    expect(set.allow('a:m')).toBe(true);
    expect(set.state('a:m')).toBe('closed');
  });
});
