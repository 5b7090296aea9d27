import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ExtensionManager } from '../manager/extension-manager.js';
import { bootExtensions } from './extensions-boot.js';
import { EXTENSIONS_OPTIONS } from './extensions.constants.js';
import type { ExtensionsRuntimeOptions } from './extensions-options.interface.js';

/**
 * Drives the extensions from Nest's hooks: setup() and start() in dependency order on init, readiness
 * off before shutdown, stop() in reverse order on shutdown.
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

  /** Readiness turns 503 here; Nest closes the HTTP server only after this resolves. */
  async beforeApplicationShutdown(): Promise<void> {
    this.manager.boot.beginShutdown();
    const delay = this.options.shutdownDelayMs ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
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
