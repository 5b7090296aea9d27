/*
 * Registered symbols (Symbol.for) rather than module-local ones: an extension in an outside folder may
 * import its own copy of this package, and its decorators must still be read by ours.
 */
export const EXTENSION_METADATA = Symbol.for('gleitzeit.extensions/extension');
export const REQUIRES_METADATA = Symbol.for('gleitzeit.extensions/requires');
export const MODELS_METADATA = Symbol.for('gleitzeit.extensions/models');
export const CAPABILITIES_METADATA = Symbol.for('gleitzeit.extensions/capabilities');
export const CONFIG_FIELDS_METADATA = Symbol.for('gleitzeit.extensions/config-fields');

/** Every key a decorator of ours writes; a class with any of them but no @Extension is a mistake. */
export const ALL_METADATA_KEYS = [
  EXTENSION_METADATA,
  REQUIRES_METADATA,
  MODELS_METADATA,
  CAPABILITIES_METADATA,
  CONFIG_FIELDS_METADATA,
];

export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/** Names an extension cannot take: `extensions` is the readiness key of /health/ready. */
export const RESERVED_NAMES = ['extensions'];
