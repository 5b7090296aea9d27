import type { ExtensionDefinition, ExtensionHealth, ExtensionLifecycle, LifecycleOptions, ModelInfo } from './definition.interface.js';

/** Brand that survives two copies of this package in one process. */
export const CONFIG_BASED_EXTENSION = Symbol.for('gleitzeit.extensions/config-based');

/**
 * Base class for the service of a YAML-defined extension: keeps the validated config and the
 * definition, and gives no-op lifecycle methods to override.
 */
export class ConfigBasedExtension<TConfig extends object = Record<string, any>> implements ExtensionLifecycle {
  static readonly [CONFIG_BASED_EXTENSION] = true;

  /** The normalized definition read from extension.yaml; set before setup() runs. */
  definition!: ExtensionDefinition;

  constructor(readonly config: TConfig) {}

  setup(_options?: LifecycleOptions): void | Promise<void> {}

  start(_options?: LifecycleOptions): void | Promise<void> {}

  stop(_options?: LifecycleOptions): void | Promise<void> {}

  healthCheck(_options?: LifecycleOptions): ExtensionHealth | Promise<ExtensionHealth> {
    return { healthy: true };
  }

  /** The models declared in the manifest. */
  getModels(): ModelInfo[] {
    return this.definition?.models ?? [];
  }

  /** The capabilities declared in the manifest. */
  getCapabilities(): string[] {
    return this.definition?.capabilities ?? [];
  }
}
