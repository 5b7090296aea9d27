import type { DynamicModule, ForwardReference, InjectionToken, OptionalFactoryDependency, Type } from '@nestjs/common';
import type { ExtensionsRuntimeOptions } from '../manager/manager.options.js';

export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_TIMEOUTS,
  type BootFailurePolicy,
  type ExtensionsRuntimeOptions,
  type PerExtensionOptions,
  type PhaseTimeouts,
} from '../manager/manager.options.js';


/** Options that decide the module's structure; they must be known before the app compiles. */
export interface ExtensionsStructureOptions {
  /** Folders to scan for extensions, relative to the working directory. Default `['extensions']`. */
  searchPaths?: string[];
  /**
   * Extensions to load at boot (plus what they depend on). Default: every discovered extension.
   * Others stay `discovered` and can be loaded at runtime through the ExtensionManager.
   */
  extensions?: string[];
  /** Modules whose providers extension classes may inject (global modules need no listing). Default `[]`. */
  imports?: Array<Type<unknown> | DynamicModule | Promise<DynamicModule> | ForwardReference>;
  /** Path of the Terminus health controller, or `false` to mount none. Default `'health'`. */
  healthPath?: string | false;
  /**
   * Path prefix of the introspection endpoints (/extensions, /models), e.g. `''` for the root. Default
   * `false`: not mounted, since they show every extension's (masked) config to whoever asks.
   */
  introspectionPath?: string | false;
  /** Whether to import .ts files; default: when a TypeScript loader (jest, tsx) is active. */
  typescript?: boolean;
  /**
   * How long importing one extension module (at discovery, or a YAML extension's service at boot) may
   * take, in ms. Past it that extension fails with "its top-level code is stuck" and the others go on;
   * import() cannot be cancelled, so the module stays pending. Default 10000.
   */
  importTimeoutMs?: number;
}

/** Options of `ExtensionsModule.forRoot()`. */
export interface ExtensionsModuleOptions extends ExtensionsStructureOptions, ExtensionsRuntimeOptions {}

/** Options of `ExtensionsModule.forRootAsync()`: structure given directly, runtime options from a factory. */
export interface ExtensionsModuleAsyncOptions extends ExtensionsStructureOptions {
  /** Runtime options; may narrow `extensions` further (the others stay discovered). */
  useFactory: (...args: any[]) => Promise<ExtensionsRuntimeOptions & { extensions?: string[] }> | (ExtensionsRuntimeOptions & { extensions?: string[] });
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
}
