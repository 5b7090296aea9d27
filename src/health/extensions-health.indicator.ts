import { Inject, Injectable } from '@nestjs/common';
import { setImmediate } from 'node:timers';
import { HealthIndicatorService, type HealthIndicatorFunction, type HealthIndicatorResult } from '@nestjs/terminus';
import type { ExtensionHealth } from '../definition/definition.interface.js';
import { ExtensionConfigError } from '../errors/index.js';
import { ExtensionManager } from '../manager/extension-manager.js';
import { HealthChangeLog } from './health-log.js';

/** Keys Terminus reserves in indicator details; an extension's own are moved under `details`. */
const RESERVED = new Set(['status', 'responseTime', 'cachedResponse']);

/** The indicator's data: the state, the extension's own details (reserved keys moved under `details`), the timing. */
function reportData(state: string, answer: ExtensionHealth, responseTime: number): Record<string, unknown> {
  // A detail named __proto__ stays a detail (defineProperty; assignment would set the prototype).
  const data: Record<string, unknown> = { state };
  let moved: Record<string, unknown> | undefined;
  for (const key of Object.keys(answer)) {
    if (key === 'cachedResponse') continue;
    const value = (answer as Record<string, unknown>)[key];
    if (RESERVED.has(key)) (moved ??= {})[key] = value;
    else if (key === '__proto__') Object.defineProperty(data, key, { value, enumerable: true, writable: true, configurable: true });
    else data[key] = value;
  }
  if (moved) data.details = moved;
  data.responseTime = responseTime;
  if (answer.cachedResponse === true) data.cachedResponse = true;
  return data;
}

/** What one turn of the event loop knows: each extension's answer, and each probe under way. */
interface Turn {
  version: number;
  results: Map<string, HealthIndicatorResult>;
  probes: Map<string, Promise<unknown>>;
}

/**
 * Terminus indicator with one key per extension. Health runs through `manager.checkHealth()`, the one
 * health path: its timeout aborts the check's signal, and concurrent probes share one call.
 */
@Injectable()
export class ExtensionsHealthIndicator {
  private readonly changes = new HealthChangeLog();

  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(ExtensionManager) private readonly manager: ExtensionManager,
  ) {}

  /**
   * One extension: up while started and healthy; down when healthCheck() says unhealthy, throws or
   * does not answer within the timeout; degraded when it failed under the `continue` policy. One
   * that failed only for want of required settings (an API key) shows as `not configured`, naming them.
   */
  async isHealthy(name: string): Promise<HealthIndicatorResult> {
    return this.indicate(name, false);
  }

  /**
   * isHealthy(), with an answer known at once returned as it is (Terminus takes either); a change is
   * logged. With `share`, probes in one turn of the event loop share an answer known at once (frozen):
   * a check that needs time is shared through the manager's one call per extension.
   */
  private indicate(name: string, share: boolean): HealthIndicatorResult | Promise<HealthIndicatorResult> {
    const turn = share ? this.currentTurn() : undefined;
    const known = turn?.results.get(name);
    if (known) return known;
    const result = this.check(name);
    if (result instanceof Promise) return result.then((settled) => this.noted(name, settled));
    if (turn) {
      Object.freeze(result[name]);
      turn.results.set(name, Object.freeze(result));
    }
    return this.noted(name, result);
  }

  /**
   * `probe()`'s promise, shared by the probes of one turn of the event loop (the same `key`, no
   * transition in between): Terminus then merges the answers once per turn, not once per request. The
   * /health controller's probes go through here.
   */
  shareProbe<T>(key: string, probe: () => Promise<T>): Promise<T> {
    const { probes } = this.currentTurn();
    let shared = probes.get(key) as Promise<T> | undefined;
    if (!shared) probes.set(key, (shared = probe()));
    return shared;
  }

  /** Answers and probes of this turn of the event loop; a new turn, or any transition of an extension, starts afresh. */
  private turn?: Turn;

  private currentTurn(): Turn {
    const version = this.manager.version;
    if (this.turn?.version === version) return this.turn;
    // node:timers' own setImmediate: a test's fake timers (which replace the global) cannot hold a turn open.
    if (!this.turn) setImmediate(() => (this.turn = undefined));
    return (this.turn = { version, results: new Map(), probes: new Map() });
  }

  private noted(name: string, result: HealthIndicatorResult): HealthIndicatorResult {
    this.changes.note(name, result);
    return result;
  }

  private check(name: string): HealthIndicatorResult | Promise<HealthIndicatorResult> {
    const state = this.manager.getState(name);
    if (state === 'started') return this.probe(name);
    const session = this.health.check(name);
    if (state === 'failed') {
      const error = this.manager.allRecords().find((r) => r.definition.name === name)?.error;
      const unset = error instanceof ExtensionConfigError ? error.unsetSettings : undefined;
      const data: Record<string, unknown> = unset
        ? { state: 'not configured', set: unset, message: `not configured: set ${unset.join(', ')}` }
        : { state, error: error ? `${error.code}: ${error.message}` : 'failed' };
      return this.manager.boot.policyFor(name) === 'continue' ? session.degraded(data) : session.down(data);
    }
    if (state === 'loaded') return session.down({ state, message: `loaded but not started: call manager.startExtension('${name}')` });
    return session.down({ state });
  }

  /** A started extension's check; an answer known at once is reported at once (no promise per extension). */
  private probe(name: string): HealthIndicatorResult | Promise<HealthIndicatorResult> {
    const began = performance.now();
    const answer = this.manager.checkHealthNow(name);
    return answer instanceof Promise ? answer.then((settled) => this.report(name, settled, began)) : this.report(name, answer, began);
  }

  private report(name: string, answer: ExtensionHealth, began: number): HealthIndicatorResult {
    const session = this.health.check(name);
    const breakers = this.openBreakers(name);
    const data = reportData('started', answer, Math.round(performance.now() - began));
    if (breakers) data.breakers = breakers;
    if (answer.healthy !== true) return session.down(data);
    // Healthy, but some of its models fail so often that calls skip them for now.
    return breakers ? session.degraded(data) : session.up(data);
  }

  /** One indicator function per extension that is part of the app (booted or loaded at runtime). */
  indicators(names?: string[]): HealthIndicatorFunction[] {
    return names ? names.map((name) => () => this.indicate(name, true)) : this.observedIndicators().slice();
  }

  /** Readiness: boot done, not shutting down, and every required extension healthy. */
  readiness(): HealthIndicatorFunction[] {
    const phase: HealthIndicatorFunction = async () => {
      const session = this.health.check('extensions');
      if (this.manager.boot.isShuttingDown) return session.down({ phase: 'shutting down', inFlight: this.manager.modelRouter.inFlight });
      if (!this.manager.boot.isBooted) return session.down({ phase: 'starting' });
      return session.up({ phase: 'serving' });
    };
    return [phase, ...this.indicators(this.manager.boot.required())];
  }

  /** The extension's routes whose circuit breaker is open or half-open, by model, or undefined. */
  private openBreakers(name: string): Record<string, { state: string; failures: number; retryInMs: number }> | undefined {
    const breakers = this.manager.modelRouter.breakers;
    if (!breakers.size) return undefined;
    const prefix = `${name}:`;
    const mine = Object.entries(breakers.snapshot()).filter(([route]) => route.startsWith(prefix));
    return mine.length ? Object.fromEntries(mine.map(([route, breaker]) => [route.slice(prefix.length), breaker])) : undefined;
  }

  /** The observed extensions' indicator functions, rebuilt only when the registry changed (not per probe). */
  private observedCache?: { version: number; records: readonly unknown[]; indicators: HealthIndicatorFunction[] };

  private observed(): string[] {
    const boot = new Set(this.manager.boot.extensions);
    return this.manager
      .allRecords()
      .filter((r) => boot.has(r.definition.name) || r.state !== 'discovered')
      .map((r) => r.definition.name);
  }

  private observedIndicators(): HealthIndicatorFunction[] {
    const version = this.manager.version;
    const records = this.manager.allRecords();
    const cached = this.observedCache;
    if (cached && cached.version === version && cached.records === records) return cached.indicators;
    const indicators = this.observed().map((name) => () => this.indicate(name, true));
    this.observedCache = { version, records, indicators };
    return indicators;
  }
}
