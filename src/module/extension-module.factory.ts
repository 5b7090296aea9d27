import type { DynamicModule, FactoryProvider, Type } from '@nestjs/common';
import { constructorDependencies } from '../lifecycle/constructor-dependencies.js';
import { ExtensionManager } from '../manager/extension-manager.js';
import { getExtensionToken } from './extensions.constants.js';
import type { ExtensionsStructureOptions } from './extensions-options.interface.js';

function moduleClass(name: string): Type<unknown> {
  const pascal = name.replace(/(^|[-_])([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
  const cls = class {};
  Object.defineProperty(cls, 'name', { value: `${pascal}ExtensionModule` });
  return cls;
}

/**
 * The dynamic module of one extension. Its class is a real provider: the config goes first, the other
 * constructor parameters are injected by Nest from global modules and `imports`.
 */
export function createExtensionModule(name: string, cls: Type<unknown> | undefined, imports: ExtensionsStructureOptions['imports'] = []): DynamicModule {
  const dependencies = cls ? constructorDependencies(cls) : [];
  const provider: FactoryProvider = {
    provide: getExtensionToken(name),
    useFactory: (manager: ExtensionManager, ...injected: unknown[]) => manager.loadForBoot(name, injected),
    inject: [ExtensionManager, ...dependencies.map(({ token, optional }) => (optional ? { token, optional } : token))],
  };
  return { module: moduleClass(name), imports, providers: [provider], exports: [provider.provide] };
}
