import { setMaxListeners } from 'node:events';
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
  /** The call's answer raced against its deadline, shared by every probe. */
  answer: Promise<ExtensionHealth>;
  /** Set when the deadline passed with no answer. */
  timedOut: boolean;
  settledAt?: number;
  result?: ExtensionHealth;
}

type HealthCheck = (options: { signal: AbortSignal }) => unknown;

/** A check that threw or rejected, as its answer (secrets masked). */
function failure(error: unknown, secrets: string[]): ExtensionHealth {
  return { healthy: false, message: redact(describeThrown(error), secrets) };
}

/** A flight that answered at once. */
function settled(flight: Flight, result: ExtensionHealth, cached: boolean): Flight {
  flight.result = result;
  // Only the cache reads the time.
  if (cached) flight.settledAt = performance.now();
  // No promise: checkNow() returns the result itself, and waitFor() is only for flights with none yet.
  return flight;
}

/** The checks started together, under one deadline. */
interface DeadlineGroup {
  /** What healthCheck() is called with: its `signal` (one AbortController per group) is made when first read. */
  options: { readonly signal: AbortSignal };
  /** Resolves `down` at the deadline; checks race it. */
  deadline: Promise<ExtensionHealth>;
  /** Checks not answered yet. */
  members: Set<Flight>;
  startedAt: number;
  settled(flight: Flight): void;
}

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
    return Promise.resolve(this.checkNow(record));
  }

  /** As check(), but an answer known at once (a check that answered synchronously, a cached one) is returned as is. */
  checkNow(record: ExtensionRecord): ExtensionHealth | Promise<ExtensionHealth> {
    const name = record.definition.name;
    const instance = record.instance as { healthCheck?: HealthCheck } | undefined;
    if (!instance || typeof instance.healthCheck !== 'function') return { healthy: record.state === 'started' };
    let flight = this.flights.get(name);
    if (flight && flight.instance === instance) {
      if (flight.result && this.cacheMs > 0 && performance.now() - flight.settledAt! < this.cacheMs) return { ...flight.result, cachedResponse: true };
      if (!flight.result) return this.waitFor(flight);
    }
    flight = this.start(record, instance as { healthCheck: HealthCheck });
    this.flights.set(name, flight);
    return flight.result ?? this.waitFor(flight);
  }

  /** The last answer's `healthy`, if a check has answered (for the gauges: no check runs). */
  lastHealthy(name: string): boolean | undefined {
    return this.flights.get(name)?.result?.healthy;
  }

  /** Drops what is known of an extension (it was unloaded). */
  forget(name: string): void {
    this.flights.delete(name);
  }

  private start(record: ExtensionRecord, instance: { healthCheck: HealthCheck }): Flight {
    // The secrets of this load, even if the extension is unloaded before the check answers.
    const secrets = record.secrets;
    const group = this.deadlineGroup();
    const flight: Flight = { instance, startedAt: group.startedAt, promise: undefined as never, answer: undefined as never, timedOut: false };
    let value: unknown;
    try {
      value = instance.healthCheck(group.options);
    } catch (error) {
      return settled(flight, failure(error, secrets), this.cacheMs > 0);
    }
    // Most checks answer at once (`{ healthy: true }`): no promise chain, no wait on the deadline.
    if (value === null || typeof value !== 'object' || typeof (value as PromiseLike<unknown>).then !== 'function') {
      let result: ExtensionHealth;
      try {
        result = healthFrom(value, record, secrets);
      } catch (error) {
        result = failure(error, secrets);
      }
      return settled(flight, result, this.cacheMs > 0);
    }
    group.members.add(flight);
    flight.promise = Promise.resolve(value as PromiseLike<unknown>)
      .then(
        (result) => healthFrom(result, record, secrets),
        (error: unknown) => failure(error, secrets),
      )
      .then((result) => {
        flight.result = result;
        flight.settledAt = performance.now();
        group.settled(flight);
        return result;
      });
    flight.answer = Promise.race([flight.promise, group.deadline]);
    return flight;
  }

  private group?: DeadlineGroup;

  /**
   * One deadline (one timer, one signal) for every check a probe starts: Terminus asks for every
   * extension at once, so the checks started in one turn of the event loop share it. The timer is
   * cleared as soon as every one of them has answered.
   */
  private deadlineGroup(): DeadlineGroup {
    if (this.group) return this.group;
    let controller: AbortController | undefined;
    /** Set at the deadline: a signal first read after it is made aborted. */
    let expired: Error | undefined;
    const members = new Set<Flight>();
    let timer: NodeJS.Timeout | undefined;
    let deadline: Promise<ExtensionHealth> | undefined;
    const limitMs = this.timeoutMs;
    const group: DeadlineGroup = {
      // Frozen: every check of the group gets this one object.
      options: Object.freeze({
        get signal() {
          if (controller) return controller.signal;
          controller = new AbortController();
          // Every extension probed together listens on this one signal: as many listeners as extensions, by design.
          setMaxListeners(0, controller.signal);
          if (expired) controller.abort(expired);
          return controller.signal;
        },
      }),
      // The timer starts with the first check that did not answer at once (in the group's turn, so
      // its time counts from the probe): checks that all answer at once cost no timer.
      get deadline() {
        return (deadline ??= new Promise<ExtensionHealth>((resolve) => {
          timer = setTimeout(() => {
            const message = `healthCheck() did not answer within ${limitMs} ms`;
            for (const member of members) member.timedOut = true;
            expired = new Error(message);
            controller?.abort(expired);
            resolve({ healthy: false, message });
          }, limitMs - (performance.now() - group.startedAt));
        }));
      },
      members,
      startedAt: performance.now(),
      settled: (flight) => {
        members.delete(flight);
        if (!members.size && this.group !== group) clearTimeout(timer);
      },
    };
    this.group = group;
    // The next turn starts a new group; this one's timer goes once its checks have all answered.
    queueMicrotask(() => {
      this.group = undefined;
      if (!members.size) clearTimeout(timer);
    });
    return group;
  }

  /** The flight's answer, or `down` at its deadline; past the deadline, at once. */
  private waitFor(flight: Flight): Promise<ExtensionHealth> {
    if (!flight.timedOut) return flight.answer;
    const waited = Math.round(performance.now() - flight.startedAt);
    return Promise.resolve({ healthy: false, message: `healthCheck() has not answered for ${waited} ms; no new check starts until it returns` });
  }
}
