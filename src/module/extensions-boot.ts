import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import type { ModuleRef } from '@nestjs/core';
import { withDependencies } from '../dependencies/extension-graph.js';
import { ExtensionBootError, type ExtensionError } from '../errors/index.js';
import { aggregateMessage } from '../errors/messages.js';
import { ExtensionManager } from '../manager/extension-manager.js';
import { didYouMean } from '../utils/did-you-mean.js';
import type { BootPlan } from './boot-plan.js';
import { bootTree, unsetSettings } from './boot-tree.js';
import type { ExtensionsRuntimeOptions } from './extensions-options.interface.js';

const logger = new Logger('Extensions');

/**
 * Builds the manager for the app: registers what discovery found, selects the boot extensions (plus
 * their dependencies) and records the failures found before the app compiled.
 */
export function createManager(
  options: ExtensionsRuntimeOptions & { extensions?: string[] },
  plan: BootPlan,
  moduleRef: ModuleRef,
  config?: ConfigService,
): ExtensionManager {
  const manager = new ExtensionManager(options, {
    resolve: (token) => moduleRef.get(token, { strict: false }),
    env: config ? (key) => config.get<string>(key) : undefined,
  });
  // With every extension selected, a broken one in a search path fails the boot under `abort`. Thrown
  // before registering, which would log each problem too: the error is the one report of them.
  const { problems } = plan.discovery;
  if (!plan.explicit && problems.length && (options.onBootFailure ?? 'abort') === 'abort') {
    throw new ExtensionBootError(aggregateMessage('Extensions failed to boot', problems), problems);
  }
  manager.register(plan.discovery);
  const selection = options.extensions ? plan.selected.filter((name) => options.extensions!.includes(name)) : plan.selected;
  const definitions = new Map(manager.allRecords().map((r) => [r.definition.name, r.definition]));
  manager.boot.extensions = withDependencies(selection, definitions);
  for (const name of manager.boot.extensions) {
    const failure = plan.failures.get(name);
    if (failure) manager.markFailed(name, failure);
    const planned = plan.imported.get(name);
    if (planned) manager.provideClass(name, planned.cls);
  }
  return manager;
}

/** Builds a boot extension with the dependencies Nest injected; a failure is recorded, not thrown. */
export async function loadForBoot(manager: ExtensionManager, name: string, dependencies: unknown[]): Promise<unknown> {
  // Narrowed out by forRootAsync's factory, or already failed before the app compiled.
  if (!manager.boot.has(name) || manager.getState(name) === 'failed') return null;
  try {
    return await manager.loadWithDependencies(name, dependencies);
  } catch {
    return null;
  }
}

/**
 * Starts the boot extensions in dependency order. With `abort`, any failure stops what started and
 * throws one error naming every failed extension; with `continue` the rest serve.
 */
export async function bootExtensions(manager: ExtensionManager, options: ExtensionsRuntimeOptions): Promise<void> {
  // The boot under one `gleitzeit.boot` span; each extension's setup and start have spans of their own.
  const end = manager.modelRouter.telemetry.phase('boot', { 'gleitzeit.extensions': manager.boot.extensions.length });
  try {
    await bootAll(manager, options);
    end();
  } catch (error) {
    end(error);
    throw error;
  }
}

async function bootAll(manager: ExtensionManager, options: ExtensionsRuntimeOptions): Promise<void> {
  const known = manager.allRecords().map((r) => r.definition.name);
  const knownSet = new Set(known);
  for (const [option, entries] of [['extensionConfigs', options.extensionConfigs], ['extensionOptions', options.extensionOptions]] as const) {
    for (const name of Object.keys(entries ?? {}).filter((n) => !knownSet.has(n))) {
      logger.warn(`${option} names "${name}", which was not discovered; it is ignored.${didYouMean(name, known)}`);
    }
  }
  const byName = new Map(manager.allRecords().map((r) => [r.definition.name, r]));
  const records = () => manager.boot.extensions.map((n) => byName.get(n)!);
  const failedEarly = records().filter((r) => r.state === 'failed').map((r) => r.error!);
  const aborts = (errors: ExtensionError[]) => errors.some((e) => manager.boot.policyFor(e.extensionName!) === 'abort');
  // Under abort the thrown error is the report (it names every failed extension and why): the tree is
  // not logged as well, so a failure is printed once, by whoever handles the error.
  if (aborts(failedEarly)) {
    throw new ExtensionBootError(aggregateMessage('Extensions failed to boot', failedEarly), failedEarly);
  }
  const loaded = records().filter((r) => r.state === 'loaded').map((r) => r.definition.name);
  const failures = options.autoStart === false ? [] : await manager.startExtensions(loaded);
  const all = [...failedEarly, ...failures];
  if (aborts(all)) {
    await manager.stopAllExtensions().catch((error: Error) => logger.error(error.message));
    throw new ExtensionBootError(aggregateMessage('Extensions failed to boot', all), all);
  }
  // Extensions that only lack their settings (no API key) are expected; anything else deserves a warning.
  const broken = records().some((r) => r.state === 'failed' && !unsetSettings(r));
  (broken ? logger.warn.bind(logger) : logger.log.bind(logger))(bootTree(records()));
  const conflicts = Object.entries(manager.modelRouter.conflicts());
  if (conflicts.length) {
    const lines = conflicts.map(([model, extensions]) => `\n  - ${model}: ${extensions.join(', ')} (routes to ${manager.findExtensionForModel(model)})`);
    logger.warn(`Models served by several extensions; routing picks by priority, then cost, then discovery order:${lines.join('')}`);
  }
  manager.boot.markBooted();
}
