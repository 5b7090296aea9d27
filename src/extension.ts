import 'reflect-metadata';

/*
 * What an extension's own files need, and nothing of Nest: the decorators, the base class of YAML
 * services, the provider contract's types and the errors to throw (`gleitzeit-extensions/extension`).
 * Node links every import() over the module graph it reaches; the package's main entry reaches Nest's
 * (nearly 600 modules), this one a few dozen, so an app with many extensions that import this entry
 * imports them faster. The classes are the same as the main entry's.
 */
export * from './errors/index.js';
export * from './definition/definition.interface.js';
export { Extension, Requires, Model, Capability, ConfigField } from './definition/extension.decorators.js';
export { ConfigBasedExtension } from './definition/config-based-extension.js';
export { extensionNameOf } from './definition/decorator-definition.js';
export type * from './provider/chat.interface.js';
