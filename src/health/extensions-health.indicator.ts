import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorFunction, type HealthIndicatorResult } from '@nestjs/terminus';
import { ExtensionManager } from '../manager/extension-manager.js';
import { EXTENSIONS_OPTIONS } from '../module/extensions.constants.js';
import type { ExtensionsRuntimeOptions } from '../module/extensions-options.interface.js';

/** Keys Terminus reserves in indicator details; an extension's own are moved under `details`. */
const RESERVED = ['status', 'responseTime', 'cachedResponse'];

function withoutReserved(health: Record<string, unknown>): Record<string, unknown> {
  const own = Object.fromEntries(Object.entries(health).filter(([key]) => !RESERVED.includes(key)));
  const moved = Object.fromEntries(Object.entries(health).filter(([key]) => RESERVED.includes(key)));
  return Object.keys(moved).length ? { ...own, details: moved } : own;
}

/** Terminus indicator with one key per extension. */
@Injectable()
export class ExtensionsHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(ExtensionManager) private readonly manager: ExtensionManager,
    @Inject(EXTENSIONS_OPTIONS) private readonly options: ExtensionsRuntimeOptions,
  ) {}

  /**
   * One extension: up while started and healthy; down when healthCheck() says unhealthy, throws or
   * does not answer within the timeout; degraded when it failed under the `continue` policy.
   */
  async isHealthy(name: string): Promise<HealthIndicatorResult> {
    const session = this.health.check(name);
    const state = this.manager.getState(name);
    if (state === 'failed') {
      const error = this.manager.allRecords().find((r) => r.definition.name === name)?.error;
      const data = { state, error: error ? `${error.code}: ${error.message}` : 'failed' };
      return this.manager.policyFor(name) === 'continue' ? session.degraded(data) : session.down(data);
    }
    if (state !== 'started') return session.down({ state });
    const attempt = session
      .attempt(async () => withoutReserved((await this.manager.runHealthCheck(name)) as Record<string, unknown>))
      .withTimeout(this.options.healthTimeoutMs ?? 2000);
    const cacheMs = this.options.healthCacheMs ?? 0;
    const result = await (cacheMs > 0 ? attempt.cacheFor(cacheMs) : attempt);
    const { status, ...details } = result[name];
    if (status === 'up' && details.healthy === false) return session.down({ state, ...details });
    return status === 'up' ? session.up({ state, ...details }) : session.down({ state, ...details });
  }

  /** One indicator function per extension that is part of the app (booted or loaded at runtime). */
  indicators(names = this.observed()): HealthIndicatorFunction[] {
    return names.map((name) => () => this.isHealthy(name));
  }

  /** Readiness: boot done, not shutting down, and every required extension healthy. */
  readiness(): HealthIndicatorFunction[] {
    const phase: HealthIndicatorFunction = async () => {
      const session = this.health.check('extensions');
      if (this.manager.isShuttingDown) return session.down({ phase: 'shutting down' });
      if (!this.manager.isBooted) return session.down({ phase: 'starting' });
      return session.up({ phase: 'serving' });
    };
    return [phase, ...this.indicators(this.manager.requiredExtensions())];
  }

  private observed(): string[] {
    const boot = new Set(this.manager.bootExtensions);
    return this.manager
      .allRecords()
      .filter((r) => boot.has(r.definition.name) || r.state !== 'discovered')
      .map((r) => r.definition.name);
  }
}
