import type { Type } from '@nestjs/common';

/** The config field types an extension may declare. */
export const CONFIG_FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'list', 'object'] as const;
export type ConfigFieldType = (typeof CONFIG_FIELD_TYPES)[number];

/** Options of `@ConfigField(name, options)`; the YAML `config:` entries map onto the same shape. */
export interface ConfigFieldOptions {
  /** Value type; default `string`. */
  type?: ConfigFieldType;
  /** The field must have a value (explicit, from the environment, or a default). Default `false`. */
  required?: boolean;
  /** Value used when neither explicit config nor the environment gives one. */
  default?: unknown;
  /** Environment variable read when no explicit value is given. */
  envVar?: string;
  description?: string;
  /** Minimum value for numbers, minimum length for strings and lists. */
  min?: number;
  /** Maximum value for numbers, maximum length for strings and lists. */
  max?: number;
  /** Allowed values. */
  enum?: unknown[];
  /** Regular expression a string value must match. */
  pattern?: string;
  /** Mask the value in every output. Credential-like names (apiKey, token, ...) are secret by default. */
  secret?: boolean;
}

/** One config field of a normalized definition. */
export interface ConfigFieldDefinition extends ConfigFieldOptions {
  name: string;
  type: ConfigFieldType;
  required: boolean;
  secret: boolean;
}

/** Options of `@Model(name, options)`; extra keys are kept as model metadata. */
export interface ModelOptions {
  capabilities?: string[];
  maxTokens?: number;
  costPerToken?: number;
  /** Other names the model answers to. */
  aliases?: string[];
  /** Higher wins when several extensions serve one model. Default 0. */
  priority?: number;
  [extra: string]: unknown;
}

/** A model an extension serves. `name` may be a wildcard pattern such as `gpt-4*`. */
export interface ModelInfo extends ModelOptions {
  name: string;
  capabilities: string[];
  aliases: string[];
  priority: number;
}

/** An npm package an extension requires, parsed from a specifier such as `openai@^4`. */
export interface PackageRequirement {
  /** The specifier as written. */
  spec: string;
  name: string;
  /** A semver range; `*` when the specifier has none. */
  range: string;
}

/** How an extension was written. Only reports show it; nothing downstream branches on it. */
export type ExtensionStyle = 'decorator' | 'config';

/** The one shape both definition styles are turned into. */
export interface ExtensionDefinition {
  name: string;
  version: string;
  description: string;
  author?: string;
  style: ExtensionStyle;
  /** The file that defines the extension (the module, or the extension.yaml). */
  source: string;
  /** The folder the extension lives in; packages are resolved from here. */
  root: string;
  models: ModelInfo[];
  capabilities: string[];
  requires: PackageRequirement[];
  /** Other extensions that must start first. */
  dependsOn: string[];
  configFields: ConfigFieldDefinition[];
  /** Resolves the class to build. Config-style extensions import their service module only here. */
  loadClass(): Promise<Type<unknown>>;
}

/** Options of `@Extension(options)`. */
export interface ExtensionOptions {
  /** Lowercase letters, digits, `-` and `_`. */
  name: string;
  description?: string;
  /** Semver; default `1.0.0`. */
  version?: string;
  author?: string;
  /** Names of other extensions that must start first. */
  dependsOn?: string[];
}

/** Result of `healthCheck()`: `healthy` plus any details. */
export interface ExtensionHealth {
  healthy: boolean;
  [detail: string]: unknown;
}

/** What every lifecycle method and healthCheck() receives: a signal that aborts at the method's time limit. */
export interface LifecycleOptions {
  signal: AbortSignal;
}

/**
 * A model an extension adds at run time (`listModels()`): a literal name (no wildcards, at most 512
 * characters) and its facts. Other keys (aliases, extras) are not read.
 */
export interface RuntimeModel {
  name: string;
  /** Added to the extension's own capabilities; default none. */
  capabilities?: string[];
  maxTokens?: number;
  costPerToken?: number;
  /** Higher wins when several extensions serve one model. Default 0. */
  priority?: number;
}

/**
 * Optional lifecycle an extension class may implement; each method may be sync or async. Each gets
 * `{ signal }`, aborted at its time limit: pass it on to what the method waits for.
 */
export interface ExtensionLifecycle {
  setup?(options: LifecycleOptions): unknown;
  start?(options: LifecycleOptions): unknown;
  stop?(options: LifecycleOptions): unknown;
  healthCheck?(options: LifecycleOptions): ExtensionHealth | Promise<ExtensionHealth>;
  /**
   * Models known only at run time (configured names, a server's own list). Called after every
   * successful start(), within the start time limit; they route like declared models until the next
   * start, unload or reload. Declared models win on a name both have. The manager reads the answer as
   * untrusted: at most MAX_RUNTIME_MODELS entries, bad ones dropped with a warning; a throw or a
   * timeout is a warning and leaves the declared models only.
   */
  listModels?(options: LifecycleOptions): RuntimeModel[] | Promise<RuntimeModel[]>;
}
