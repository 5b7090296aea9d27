import type { Type } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { CONFIG_BASED_EXTENSION } from '../definition/config-based-extension.js';
import type { ExtensionDefinition } from '../definition/definition.interface.js';
import { ExtensionLoadError } from '../errors/index.js';
import { constructorDependencies, tokenName } from './constructor-dependencies.js';

/**
 * Resolves the constructor parameters after the config from the running app, for extensions loaded
 * after boot (at boot, Nest injects them into the extension's provider).
 */
export function runtimeDependencies(cls: Type<unknown>, name: string, moduleRef?: ModuleRef): unknown[] {
  return constructorDependencies(cls).map(({ token, optional }) => {
    try {
      if (!moduleRef) throw new Error('no Nest application');
      return moduleRef.get(token, { strict: false });
    } catch {
      if (optional) return undefined;
      throw new ExtensionLoadError(
        `Cannot build extension "${name}": constructor parameter ${tokenName(token)} of ${cls.name} has no provider. Provide it in a global module or in ExtensionsModule.forRoot({ imports }).`,
        name,
      );
    }
  });
}

/** Builds the extension: config first, then the injected dependencies; config-style ones get their definition. */
export function instantiate(cls: Type<unknown>, definition: ExtensionDefinition, config: object, dependencies: unknown[]): unknown {
  const instance = new cls(config, ...dependencies);
  if ((cls as unknown as Record<symbol, unknown>)[CONFIG_BASED_EXTENSION]) {
    (instance as { definition?: ExtensionDefinition }).definition ??= definition;
  }
  return instance;
}
