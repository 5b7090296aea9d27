import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ExtensionManager } from '../manager/extension-manager.js';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../manager/manager.options.js';
import { bootExtensions } from './extensions-boot.js';
import { EXTENSIONS_OPTIONS } from './extensions.constants.js';
import type { ExtensionsRuntimeOptions } from './extensions-options.interface.js';

/**
 * Drives the extensions from Nest's hooks: setup() and start() in dependency order on init; on
 * shutdown readiness off, in-flight router calls drained, then stop() in reverse order.
 */
@Injectable()
export class ExtensionsLifecycle implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Extensions');

  constructor(
    @Inject(ExtensionManager) private readonly manager: ExtensionManager,
    @Inject(EXTENSIONS_OPTIONS) private readonly options: ExtensionsRuntimeOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    await bootExtensions(this.manager, this.options);
  }

  /**
   * Readiness turns 503 here; after `shutdownDelayMs` the router's calls in flight may finish within
   * `drainTimeoutMs`, then what is left is aborted, so responses and streams end. Nest closes the HTTP
   * server (waiting for open connections) only after this resolves, and stop() runs after that.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.manager.boot.beginShutdown();
    const delay = this.options.shutdownDelayMs ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const limit = this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    const { aborted } = await this.manager.modelRouter.drain(limit);
    if (aborted) this.logger.warn(`Shutting down: aborted ${aborted} model call${aborted === 1 ? '' : 's'} still running after drainTimeoutMs (${limit} ms).`);
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.manager.stopAllExtensions();
    } catch (error) {
      // Every stop() has run; the app still shuts down cleanly.
      this.logger.error((error as Error).message);
    }
  }
}
