import type { Type } from '@nestjs/common';
import type { ExtensionDefinition } from '../definition/definition.interface.js';
import { assertPackages } from '../dependencies/package-check.js';
import { ExtensionError, ExtensionLoadError } from '../errors/index.js';

/**
 * The one way an extension's class is imported, at boot and at runtime: its packages are checked
 * first (so a missing one is a clear error, not an import crash), then its module is imported.
 */
export async function importExtensionClass(definition: ExtensionDefinition): Promise<{ cls: Type<unknown>; ms: number }> {
  const began = performance.now();
  try {
    assertPackages(definition);
    const cls = await definition.loadClass();
    return { cls, ms: Math.round(performance.now() - began) };
  } catch (error) {
    throw error instanceof ExtensionError ? error : new ExtensionLoadError(String((error as Error)?.message ?? error), definition.name, { cause: error });
  }
}
