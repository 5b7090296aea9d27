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

/** Extension modules per group module. */
const GROUP_SIZE = 32;

/**
 * The extension modules in groups of 32, each a module that imports and re-exports its members, for
 * ExtensionsModule to import and re-export. Nest checks every re-exported module against every import
 * of the module that exports it: with 1,000 extensions re-exported from ExtensionsModule itself that
 * is a million comparisons at boot; in groups, some 33,000. A handle is injected through one level more.
 */
export function groupExtensionModules(modules: DynamicModule[]): DynamicModule[] {
  if (modules.length <= GROUP_SIZE) return modules;
  const groups: DynamicModule[] = [];
  for (let start = 0; start < modules.length; start += GROUP_SIZE) {
    const members = modules.slice(start, start + GROUP_SIZE);
    const group = class {};
    Object.defineProperty(group, 'name', { value: `ExtensionsGroup${groups.length + 1}Module` });
    groups.push({ module: group, imports: members, exports: members });
  }
  return groups;
}
