import { Logger } from '@nestjs/common';
import { ModelRouter } from '../routing/model-router.js';
import type { RoutingSource } from '../routing/routing.interface.js';
import type { HealthRunner } from './health-runner.js';
import type { ExtensionsRuntimeOptions } from './manager.options.js';

/**
 * The manager's router: resilience and telemetry from the manager's options (read at each use, as
 * forRootAsync's arrive late), breaker changes as warnings, one debug line per call when the logger
 * prints debug, and the last health answers for the health gauge.
 */
export function managerRouter(source: RoutingSource, options: () => ExtensionsRuntimeOptions, health: HealthRunner, logger: Logger): ModelRouter {
  return new ModelRouter(source, () => options().resilience, (message) => logger.warn(message), {
    options: () => options().telemetry,
    lastHealthy: (name) => health.lastHealthy(name),
    debug: (line) => {
      if (Logger.isLevelEnabled('debug')) logger.debug(line());
    },
  });
}
