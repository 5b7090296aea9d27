import type { InjectionToken, Type } from '@nestjs/common';
import { CONFIG_BASED_EXTENSION } from '../definition/config-based-extension.js';
import type { ExtensionDefinition } from '../definition/definition.interface.js';
import { ExtensionLoadError } from '../errors/index.js';
import { constructorDependencies, tokenName } from './constructor-dependencies.js';

/** Resolves a constructor dependency from the running app (Nest's ModuleRef.get); absent without Nest. */
export type DependencyResolver = (token: InjectionToken) => unknown;

/**
 * Resolves the constructor parameters after the config, for extensions loaded after boot (at boot,
 * Nest injects them into the extension's provider).
 */
export function runtimeDependencies(cls: Type<unknown>, name: string, resolve?: DependencyResolver): unknown[] {
  return constructorDependencies(cls, name).map(({ token, optional }) => {
    try {
      if (!resolve) throw new Error('no Nest application');
      return resolve(token);
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
