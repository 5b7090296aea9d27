import type { Type } from '@nestjs/common';
import type { ExtensionDefinition } from '../definition/definition.interface.js';
import { startOrder, withDependencies } from '../dependencies/extension-graph.js';
import { assertPackages } from '../dependencies/package-check.js';
import { discover } from '../discovery/discover.js';
import type { DiscoveryResult } from '../discovery/discovery.interface.js';
import { ExtensionError, ExtensionLoadError, ExtensionNotFound } from '../errors/index.js';
import { notFoundMessage } from '../errors/messages.js';
import { didYouMean } from '../utils/did-you-mean.js';
import type { ExtensionsStructureOptions } from './extensions-options.interface.js';

/** What must be known before the module graph compiles: which extensions exist and their classes. */
export interface BootPlan {
  discovery: DiscoveryResult;
  /** The selected extensions plus what they depend on, in discovery order. */
  selected: string[];
  /** Whether the user named the extensions (else every discovered one is selected). */
  explicit: boolean;
  classes: Map<string, Type<unknown>>;
  /** Extensions whose packages are missing or whose module failed to import. */
  failures: Map<string, ExtensionError>;
}

/**
 * Discovers, selects and imports the boot extensions. An unknown selected name, a missing extension
 * dependency or a dependency cycle is structural and throws here; per-extension failures are kept
 * for the failure policy to decide.
 */
export async function createBootPlan(options: ExtensionsStructureOptions): Promise<BootPlan> {
  const discovery = await discover(options.searchPaths ?? ['extensions'], { typescript: options.typescript });
  const definitions = new Map<string, ExtensionDefinition>(discovery.definitions.map((d) => [d.name, d]));
  const known = [...definitions.keys()];
  for (const name of options.extensions ?? []) {
    if (!definitions.has(name)) {
      const problems = discovery.problems.length ? ` Discovery also reported: ${discovery.problems.map((p) => p.message).join(' | ')}` : '';
      throw new ExtensionNotFound(notFoundMessage(name, didYouMean(name, known), known) + problems, name);
    }
  }
  const selected = withDependencies(options.extensions ?? known, definitions);
  startOrder(selected, definitions);
  const classes = new Map<string, Type<unknown>>();
  const failures = new Map<string, ExtensionError>();
  for (const name of selected) {
    const definition = definitions.get(name)!;
    const began = performance.now();
    try {
      assertPackages(definition);
      classes.set(name, await definition.loadClass());
      discovery.importMs[name] = (discovery.importMs[name] ?? 0) + Math.round(performance.now() - began);
    } catch (error) {
      failures.set(name, error instanceof ExtensionError ? error : new ExtensionLoadError(String((error as Error).message), name));
    }
  }
  return { discovery, selected, explicit: options.extensions !== undefined, classes, failures };
}
