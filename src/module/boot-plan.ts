import type { Type } from '@nestjs/common';
import type { ExtensionDefinition } from '../definition/definition.interface.js';
import { startOrder, withDependencies } from '../dependencies/extension-graph.js';
import { discover } from '../discovery/discover.js';
import type { DiscoveryResult } from '../discovery/discovery.interface.js';
import { ExtensionError, ExtensionNotFound } from '../errors/index.js';
import { notFoundMessage } from '../errors/messages.js';
import { constructorDependencies, type ConstructorDependency } from '../manager/constructor-dependencies.js';
import { importExtensionClass } from '../manager/import-class.js';
import { didYouMean } from '../utils/did-you-mean.js';
import { ownValue, setOwn } from '../utils/own.js';
import type { ExtensionsStructureOptions } from './extensions-options.interface.js';

/** An imported boot extension: its class and the constructor parameters Nest must inject. */
export interface PlannedExtension {
  cls: Type<unknown>;
  dependencies: ConstructorDependency[];
}

/** What must be known before the module graph compiles: which extensions exist and their classes. */
export interface BootPlan {
  discovery: DiscoveryResult;
  /** The selected extensions plus what they depend on, in discovery order. */
  selected: string[];
  /** Whether the user named the extensions (else every discovered one is selected). */
  explicit: boolean;
  imported: Map<string, PlannedExtension>;
  /** Extensions whose packages are missing, whose module failed to import, or whose constructor Nest cannot fill. */
  failures: Map<string, ExtensionError>;
}

/**
 * Discovers, selects and imports the boot extensions. An unknown selected name, a missing extension
 * dependency or a dependency cycle is structural and throws here; per-extension failures are kept
 * for the failure policy to decide.
 */
export async function createBootPlan(options: ExtensionsStructureOptions): Promise<BootPlan> {
  const discovery = await discover(options.searchPaths ?? ['extensions'], { typescript: options.typescript, importTimeoutMs: options.importTimeoutMs });
  const definitions = new Map<string, ExtensionDefinition>(discovery.definitions.map((d) => [d.name, d]));
  const known = [...definitions.keys()];
  for (const name of options.extensions ?? []) {
    if (!definitions.has(name)) {
      const problems = discovery.problems.length ? ` Discovery also reported: ${discovery.problems.map((p) => p.message).join(' | ')}` : '';
      // Thrown before the manager logs discovery warnings, and they may be why (a manifest not copied to dist/).
      const warnings = discovery.warnings.length ? ` Discovery warned: ${discovery.warnings.join(' | ')}` : '';
      throw new ExtensionNotFound(notFoundMessage(name, didYouMean(name, known), known) + problems + warnings, name);
    }
  }
  const selected = withDependencies(options.extensions ?? known, definitions);
  startOrder(selected, definitions);
  const imported = new Map<string, PlannedExtension>();
  const failures = new Map<string, ExtensionError>();
  await Promise.all(
    selected.map(async (name) => {
      try {
        const { cls, ms } = await importExtensionClass(definitions.get(name)!);
        setOwn(discovery.importMs, name, (ownValue(discovery.importMs, name) ?? 0) + ms);
        imported.set(name, { cls, dependencies: constructorDependencies(cls, name) });
      } catch (error) {
        failures.set(name, error as ExtensionError);
      }
    }),
  );
  return { discovery, selected, explicit: options.extensions !== undefined, imported, failures };
}
