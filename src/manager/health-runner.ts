import { redact } from '../configuration/secrets.js';
import type { ExtensionHealth } from '../definition/definition.interface.js';
import { describeThrown } from '../errors/index.js';
import { healthFrom } from './health-details.js';
import type { ExtensionRecord } from './manager.interface.js';

interface Flight {
  /** The instance the check ran on: a reload starts afresh. */
  instance: unknown;
  startedAt: number;
  promise: Promise<ExtensionHealth>;
  settledAt?: number;
  result?: ExtensionHealth;
}

type HealthCheck = (options: { signal: AbortSignal }) => unknown;

/**
 * The one health path (Terminus, getExtensionInfo, reports): runs `healthCheck({ signal })` within the
 * health timeout, aborting the signal at the limit. At most one call runs per extension: concurrent
 * probes share it, a call that hangs past its limit is not started again until it returns, and an
 * answer is reused for `cacheMs`.
 */
export class HealthRunner {
  private readonly flights = new Map<string, Flight>();

  constructor(
    private readonly timeoutMs: number,
    private readonly cacheMs: number,
  ) {}

  /** Never throws: a throw or a hang is `{ healthy: false, message }`; a cached answer has `cachedResponse: true`. */
  check(record: ExtensionRecord): Promise<ExtensionHealth> {
    const name = record.definition.name;
    const instance = record.instance as { healthCheck?: HealthCheck } | undefined;
    if (!instance || typeof instance.healthCheck !== 'function') return Promise.resolve({ healthy: record.state === 'started' });
    const now = performance.now();
    let flight = this.flights.get(name);
    if (flight && flight.instance === instance) {
      if (flight.result && now - flight.settledAt! < this.cacheMs) return Promise.resolve({ ...flight.result, cachedResponse: true });
      if (!flight.result) return this.waitFor(flight);
    }
    flight = this.start(record, instance as { healthCheck: HealthCheck });
    this.flights.set(name, flight);
    return this.waitFor(flight);
  }

  /** Drops what is known of an extension (it was unloaded). */
  forget(name: string): void {
    this.flights.delete(name);
  }

  private start(record: ExtensionRecord, instance: { healthCheck: HealthCheck }): Flight {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`healthCheck() did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    const flight: Flight = { instance, startedAt: performance.now(), promise: undefined as never };
    flight.promise = Promise.resolve()
      .then(() => instance.healthCheck({ signal: controller.signal }))
      .then(
        (result) => healthFrom(result, record),
        (error: unknown) => ({ healthy: false, message: redact(describeThrown(error), record.secrets) }),
      )
      .then((result) => {
        clearTimeout(timer);
        flight.result = result;
        flight.settledAt = performance.now();
        return result;
      });
    return flight;
  }

  /** The flight's answer, or `down` at the flight's deadline (not a new deadline per probe). */
  private waitFor(flight: Flight): Promise<ExtensionHealth> {
    const left = flight.startedAt + this.timeoutMs - performance.now();
    const timedOut = (): ExtensionHealth => ({
      healthy: false,
      message: left >= 1
        ? `healthCheck() did not answer within ${this.timeoutMs} ms`
        : `healthCheck() has not answered for ${Math.round(performance.now() - flight.startedAt)} ms; no new check starts until it returns`,
    });
    // Timers may fire a fraction of a millisecond early: under 1 ms left is past the deadline.
    if (left < 1) return Promise.resolve(timedOut());
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ExtensionHealth>((resolve) => {
      timer = setTimeout(() => resolve(timedOut()), left);
    });
    return Promise.race([flight.promise, deadline]).finally(() => clearTimeout(timer));
  }
}
