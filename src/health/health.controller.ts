import { Controller, Get, Inject, type Type } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ExtensionsHealthIndicator } from './extensions-health.indicator.js';

/**
 * The Terminus controller at the configured path: `/` every extension, `/live` the process alone,
 * `/ready` boot done, not shutting down, and every required extension up.
 */
export function createHealthController(path: string): Type<unknown> {
  @Controller(path)
  class ExtensionsHealthController {
    constructor(
      @Inject(HealthCheckService) private readonly health: HealthCheckService,
      @Inject(ExtensionsHealthIndicator) private readonly indicator: ExtensionsHealthIndicator,
    ) {}

    @Get()
    @HealthCheck()
    check() {
      return this.indicator.shareProbe('health', () => this.health.check(this.indicator.indicators()));
    }

    /** The process answers: 200 while it runs, draining included (Terminus would answer 503 from shutdown on). */
    @Get('live')
    live() {
      return { status: 'ok', info: {}, error: {}, details: {} };
    }

    @Get('ready')
    @HealthCheck()
    ready() {
      return this.indicator.shareProbe('ready', () => this.health.check(this.indicator.readiness()));
    }
  }
  return ExtensionsHealthController;
}
