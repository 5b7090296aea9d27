import type { DynamicModule, FactoryProvider, Type } from '@nestjs/common';
import { ExtensionManager } from '../manager/extension-manager.js';
import type { PlannedExtension } from './boot-plan.js';
import { loadForBoot } from './extensions-boot.js';
import { getExtensionToken, getExtensionInstanceToken } from './extensions.constants.js';
import type { ExtensionsStructureOptions } from './extensions-options.interface.js';

function moduleClass(name: string): Type<unknown> {
  const pascal = name.replace(/(^|[-_])([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
  const cls = class {};
  Object.defineProperty(cls, 'name', { value: `${pascal}ExtensionModule` });
  return cls;
}

/**
 * The dynamic module of one extension. Its class is built by a real provider: the config goes first,
 * the other constructor parameters are injected by Nest from global modules and `imports`. The public
 * token gives the extension's stable handle, which follows reloads.
 */
export function createExtensionModule(name: string, planned: PlannedExtension | undefined, imports: ExtensionsStructureOptions['imports'] = []): DynamicModule {
  const instance: FactoryProvider = {
    provide: getExtensionInstanceToken(name),
    useFactory: (manager: ExtensionManager, ...injected: unknown[]) => loadForBoot(manager, name, injected),
    inject: [ExtensionManager, ...(planned?.dependencies ?? []).map(({ token, optional }) => (optional ? { token, optional } : token))],
  };
  const handle: FactoryProvider = {
    provide: getExtensionToken(name),
    useFactory: (manager: ExtensionManager) => manager.getHandle(name),
    inject: [ExtensionManager, instance.provide],
  };
  return { module: moduleClass(name), imports, providers: [instance, handle], exports: [handle.provide] };
}
