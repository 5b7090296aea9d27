import { Module, type INestApplicationContext, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExtensionManager } from '../manager/extension-manager.js';
import { ExtensionsModule } from '../module/extensions.module.js';
import type { ExtensionsModuleOptions } from '../module/extensions-options.interface.js';

/** Options of createClusterWithExtensions: the module's options plus the context's logger. */
export interface ClusterOptions extends ExtensionsModuleOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * The seed's "Method 2" without writing a module: a Nest application context with the extensions
 * loaded but not started (call startClusterWithExtensions).
 */
export async function createClusterWithExtensions(
  options: ClusterOptions = {},
): Promise<{ cluster: INestApplicationContext; manager: ExtensionManager }> {
  const { logger, ...extensionOptions } = options;
  @Module({ imports: [ExtensionsModule.forRoot({ ...extensionOptions, autoStart: false, healthPath: false, introspectionPath: false })] })
  class ExtensionsClusterModule {}
  const cluster = await NestFactory.createApplicationContext(ExtensionsClusterModule, { logger, abortOnError: false });
  return { cluster, manager: cluster.get(ExtensionManager) };
}

/** Starts every loaded extension in dependency order. */
export async function startClusterWithExtensions(_cluster: INestApplicationContext, manager: ExtensionManager): Promise<void> {
  await manager.startAllExtensions();
}

/** Stops every extension in reverse order, then closes the context (even when a stop() threw). */
export async function stopClusterWithExtensions(cluster: INestApplicationContext, manager: ExtensionManager): Promise<void> {
  try {
    await manager.stopAllExtensions();
  } finally {
    await cluster.close();
  }
}
