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
      return this.health.check(this.indicator.indicators());
    }

    @Get('live')
    @HealthCheck()
    live() {
      return this.health.check([]);
    }

    @Get('ready')
    @HealthCheck()
    ready() {
      return this.health.check(this.indicator.readiness());
    }
  }
  return ExtensionsHealthController;
}
