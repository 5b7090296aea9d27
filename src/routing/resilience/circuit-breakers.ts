import type { CircuitBreakerOptions } from './resilience.options.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

interface Breaker {
  state: BreakerState;
  failures: number;
  openedAt: number;
  /** A probe is in flight (half-open lets one through). */
  probing: boolean;
}

/** One state change, for the log. */
export interface BreakerChange {
  route: string;
  from: BreakerState;
  to: BreakerState;
  reason: string;
}

/**
 * Circuit breakers per route (`extension:model`): `failures` in a row open one; while open the route is
 * skipped; after `coolDownMs` one probe may pass (half-open); its success closes the breaker, its
 * failure opens it again for another cool-down. Only routes that failed have an entry, and a closed
 * breaker with no failures is dropped, so what clients send cannot grow this map.
 */
export class CircuitBreakers {
  private readonly breakers = new Map<string, Breaker>();

  constructor(
    private readonly options: () => Required<CircuitBreakerOptions> | false,
    private readonly onChange: (change: BreakerChange) => void = () => undefined,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Whether an attempt may go to the route now; a half-open breaker lets exactly one probe through. */
  allow(route: string): boolean {
    const options = this.options();
    const breaker = this.breakers.get(route);
    if (!options || !breaker || breaker.state === 'closed') return true;
    if (breaker.state === 'open') {
      if (this.now() - breaker.openedAt < options.coolDownMs) return false;
      this.move(route, breaker, 'half-open', `cool-down of ${options.coolDownMs} ms over: one probe may pass`);
    }
    if (breaker.probing) return false;
    breaker.probing = true;
    return true;
  }

  /** When an open breaker lets a probe through again, in ms from now (0 when it does already). */
  retryInMs(route: string): number {
    const options = this.options();
    const breaker = this.breakers.get(route);
    if (!options || !breaker || breaker.state !== 'open') return 0;
    return Math.max(0, options.coolDownMs - (this.now() - breaker.openedAt));
  }

  success(route: string): void {
    const breaker = this.breakers.get(route);
    if (!breaker) return;
    if (breaker.state !== 'closed') this.move(route, breaker, 'closed', 'a request succeeded');
    this.breakers.delete(route);
  }

  failure(route: string, why: string): void {
    const options = this.options();
    if (!options) return;
    let breaker = this.breakers.get(route);
    if (!breaker) this.breakers.set(route, (breaker = { state: 'closed', failures: 0, openedAt: 0, probing: false }));
    breaker.failures++;
    if (breaker.state === 'half-open') return this.open(route, breaker, `the probe failed: ${why}`);
    if (breaker.state === 'closed' && breaker.failures >= options.failures) this.open(route, breaker, `${breaker.failures} failures in a row, the last: ${why}`);
  }

  /** A probe that ended without a verdict (the caller left): let another one try. */
  release(route: string): void {
    const breaker = this.breakers.get(route);
    if (breaker) breaker.probing = false;
  }

  /** Routes with a breaker entry (a failure not yet cleared): 0 when every route is plainly closed. */
  get size(): number {
    return this.breakers.size;
  }

  state(route: string): BreakerState {
    return this.breakers.get(route)?.state ?? 'closed';
  }

  /** Every breaker that is not closed, by route. */
  snapshot(): Record<string, { state: BreakerState; failures: number; retryInMs: number }> {
    const result: Record<string, { state: BreakerState; failures: number; retryInMs: number }> = {};
    for (const [route, breaker] of this.breakers) {
      if (breaker.state !== 'closed') result[route] = { state: breaker.state, failures: breaker.failures, retryInMs: this.retryInMs(route) };
    }
    return result;
  }

  private open(route: string, breaker: Breaker, reason: string): void {
    breaker.openedAt = this.now();
    breaker.probing = false;
    this.move(route, breaker, 'open', reason);
  }

  private move(route: string, breaker: Breaker, to: BreakerState, reason: string): void {
    const from = breaker.state;
    breaker.state = to;
    if (to !== 'half-open') breaker.probing = false;
    this.onChange({ route, from, to, reason });
  }
}
