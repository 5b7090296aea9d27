import { Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModuleRef } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { createHealthController } from '../health/health.controller.js';
import { ExtensionsHealthIndicator } from '../health/extensions-health.indicator.js';
import { createIntrospectionController } from '../introspection/introspection.controller.js';
import { ExtensionManager } from '../manager/extension-manager.js';
import { ModelRouter } from '../routing/model-router.js';
import { validateRuntimeOptions } from '../manager/manager.options.js';
import { createBootPlan } from './boot-plan.js';
import { createManager } from './extensions-boot.js';
import { ExtensionsLifecycle } from './extensions-lifecycle.js';
import { createExtensionModule, groupExtensionModules } from './extension-module.factory.js';
import { EXTENSIONS_BOOT_PLAN, EXTENSIONS_OPTIONS } from './extensions.constants.js';
import type { ExtensionsModuleAsyncOptions, ExtensionsModuleOptions, ExtensionsStructureOptions } from './extensions-options.interface.js';

const logger = new Logger('Extensions');

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
    validateRuntimeOptions(options);
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
    // Logged now, not when the manager is built: a DI error in the app (say, injecting an extension whose
    // manifest was not copied to dist/) would otherwise hide the warning that explains it.
    for (const warning of plan.discovery.warnings.splice(0)) logger.warn(warning);
    const extensionModules = groupExtensionModules(plan.selected.map((name) => createExtensionModule(name, plan.imported.get(name), structure.imports)));
    const healthPath = structure.healthPath ?? 'health';
    const introspectionPath = structure.introspectionPath ?? false;
    return {
      module: ExtensionsModule,
      global: true,
      // Terminus's own logger is off: it logs every failing probe's whole answer as JSON; the indicator logs changes.
      imports: [TerminusModule.forRoot({ logger: false }), ...(structure.imports ?? []), ...extensionModules],
      providers: [optionsProvider, { provide: EXTENSIONS_BOOT_PLAN, useValue: plan }, ...CORE_PROVIDERS],
      controllers: [
        ...(healthPath === false ? [] : [createHealthController(healthPath)]),
        ...(introspectionPath === false ? [] : [createIntrospectionController(introspectionPath)]),
      ],
      exports: [ExtensionManager, ModelRouter, ExtensionsHealthIndicator, EXTENSIONS_OPTIONS, ...extensionModules],
    };
  }
}
