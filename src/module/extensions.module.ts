import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModuleRef } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ExtensionBootError } from '../errors/index.js';
import { aggregateMessage } from '../errors/messages.js';
import { createHealthController } from '../health/health.controller.js';
import { ExtensionsHealthIndicator } from '../health/extensions-health.indicator.js';
import { createIntrospectionController } from '../introspection/introspection.controller.js';
import { ExtensionsLifecycle } from '../lifecycle/extensions-lifecycle.js';
import { ExtensionManager } from '../manager/extension-manager.js';
import { ModelRouter } from '../routing/model-router.js';
import { createBootPlan, type BootPlan } from './boot-plan.js';
import { createExtensionModule } from './extension-module.factory.js';
import { EXTENSIONS_BOOT_PLAN, EXTENSIONS_OPTIONS } from './extensions.constants.js';
import type {
  ExtensionsModuleAsyncOptions,
  ExtensionsModuleOptions,
  ExtensionsRuntimeOptions,
  ExtensionsStructureOptions,
} from './extensions-options.interface.js';

function createManager(
  options: ExtensionsRuntimeOptions & { extensions?: string[] },
  plan: BootPlan,
  moduleRef: ModuleRef,
  config?: ConfigService,
): ExtensionManager {
  const manager = new ExtensionManager(options, { moduleRef, env: config ? (key) => config.get<string>(key) : undefined });
  manager.register(plan.discovery);
  // With every extension selected, a broken one in a search path fails the boot under `abort`.
  const { problems } = plan.discovery;
  if (!plan.explicit && problems.length && (options.onBootFailure ?? 'abort') === 'abort') {
    throw new ExtensionBootError(aggregateMessage('Extensions failed to boot', problems), problems);
  }
  const selection = options.extensions ? plan.selected.filter((name) => options.extensions!.includes(name)) : plan.selected;
  manager.selectForBoot(selection, plan.failures, plan.classes);
  return manager;
}

const CORE_PROVIDERS: Provider[] = [
  {
    provide: ExtensionManager,
    useFactory: createManager,
    inject: [EXTENSIONS_OPTIONS, EXTENSIONS_BOOT_PLAN, ModuleRef, { token: ConfigService, optional: true }],
  },
  { provide: ModelRouter, useFactory: (manager: ExtensionManager) => manager.modelRouter, inject: [ExtensionManager] },
  ExtensionsHealthIndicator,
  ExtensionsLifecycle,
];

/**
 * Turns discovered extensions into dynamic Nest modules, one per extension, and provides the
 * ExtensionManager, the ModelRouter, the health indicator and (optionally) their controllers.
 */
@Module({})
export class ExtensionsModule {
  /** Discovers and imports extensions before the app compiles, then builds the module. */
  static async forRoot(options: ExtensionsModuleOptions = {}): Promise<DynamicModule> {
    return ExtensionsModule.build(options, { provide: EXTENSIONS_OPTIONS, useValue: options });
  }

  /** Like forRoot; the runtime options (configs, policies, timeouts) come from an injected factory. */
  static async forRootAsync(options: ExtensionsModuleAsyncOptions): Promise<DynamicModule> {
    return ExtensionsModule.build(options, {
      provide: EXTENSIONS_OPTIONS,
      useFactory: options.useFactory,
      inject: options.inject ?? [],
    });
  }

  private static async build(structure: ExtensionsStructureOptions, optionsProvider: Provider): Promise<DynamicModule> {
    const plan = await createBootPlan(structure);
    const extensionModules = plan.selected.map((name) => createExtensionModule(name, plan.classes.get(name), structure.imports));
    const healthPath = structure.healthPath ?? 'health';
    const introspectionPath = structure.introspectionPath ?? '';
    return {
      module: ExtensionsModule,
      global: true,
      imports: [TerminusModule, ...(structure.imports ?? []), ...extensionModules],
      providers: [optionsProvider, { provide: EXTENSIONS_BOOT_PLAN, useValue: plan }, ...CORE_PROVIDERS],
      controllers: [
        ...(healthPath === false ? [] : [createHealthController(healthPath)]),
        ...(introspectionPath === false ? [] : [createIntrospectionController(introspectionPath)]),
      ],
      exports: [ExtensionManager, ModelRouter, ExtensionsHealthIndicator, EXTENSIONS_OPTIONS, ...extensionModules],
    };
  }
}
