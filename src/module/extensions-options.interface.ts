import type { DynamicModule, ForwardReference, InjectionToken, OptionalFactoryDependency, Type } from '@nestjs/common';

/** What happens when an extension fails to load, set up or start at boot. */
export type BootFailurePolicy = 'abort' | 'continue';

/** Time limits of the lifecycle phases, in milliseconds. */
export interface PhaseTimeouts {
  /** Default 10000. */
  setup: number;
  /** Default 10000. */
  start: number;
  /** Default 15000. */
  stop: number;
}

export const DEFAULT_TIMEOUTS: PhaseTimeouts = { setup: 10_000, start: 10_000, stop: 15_000 };

/** Settings that one extension may override. */
export interface PerExtensionOptions {
  /** Overrides the global `onBootFailure` for this extension. */
  onBootFailure?: BootFailurePolicy;
  /** Overrides the global phase timeouts for this extension. */
  timeouts?: Partial<PhaseTimeouts>;
}

/** Options read when the app boots; `forRootAsync` may compute them from injected providers. */
export interface ExtensionsRuntimeOptions {
  /** Explicit config per extension name; beats environment variables and defaults. Default `{}`. */
  extensionConfigs?: Record<string, Record<string, unknown>>;
  /** `abort` (default): boot fails, naming every failed extension. `continue`: the rest serve. */
  onBootFailure?: BootFailurePolicy;
  /** Phase timeouts for every extension. Default `{ setup: 10000, start: 10000, stop: 15000 }`. */
  timeouts?: Partial<PhaseTimeouts>;
  /** Per-extension overrides of `onBootFailure` and `timeouts`, by extension name. Default `{}`. */
  extensionOptions?: Record<string, PerExtensionOptions>;
  /** Time limit of one extension's healthCheck() in ms. Default 2000. */
  healthTimeoutMs?: number;
  /**
   * Reuse a healthCheck() answer for this many ms (Terminus response caching), so frequent probes do
   * not call a provider's API each time; concurrent probes share one run. Default 0 (no caching).
   */
  healthCacheMs?: number;
  /**
   * After shutdown begins, keep serving this long with readiness at 503 before the HTTP server closes
   * and stop() runs, so a load balancer drains first. Default 0.
   */
  shutdownDelayMs?: number;
  /** Run setup() and start() in onModuleInit. Default `true`; `false` leaves starting to the caller. */
  autoStart?: boolean;
}

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
  /** Path prefix of the introspection endpoints (/extensions, /models), or `false`. Default `''`. */
  introspectionPath?: string | false;
  /** Whether to import .ts files; default: when a TypeScript loader (jest, tsx, ts-node) is active. */
  typescript?: boolean;
}

/** Options of `ExtensionsModule.forRoot()`. */
export interface ExtensionsModuleOptions extends ExtensionsStructureOptions, ExtensionsRuntimeOptions {}

/** Options of `ExtensionsModule.forRootAsync()`: structure given directly, runtime options from a factory. */
export interface ExtensionsModuleAsyncOptions extends ExtensionsStructureOptions {
  /** Runtime options; may narrow `extensions` further (the others stay discovered). */
  useFactory: (...args: any[]) => Promise<ExtensionsRuntimeOptions & { extensions?: string[] }> | (ExtensionsRuntimeOptions & { extensions?: string[] });
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
}
