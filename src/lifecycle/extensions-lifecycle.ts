import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ExtensionManager } from '../manager/extension-manager.js';

/**
 * Drives the extensions from Nest's hooks: setup() and start() in dependency order on init, readiness
 * off before shutdown, stop() in reverse order on shutdown.
 */
@Injectable()
export class ExtensionsLifecycle implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Extensions');

  constructor(@Inject(ExtensionManager) private readonly manager: ExtensionManager) {}

  async onModuleInit(): Promise<void> {
    await this.manager.boot();
  }

  beforeApplicationShutdown(): void {
    this.manager.beginShutdown();
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
