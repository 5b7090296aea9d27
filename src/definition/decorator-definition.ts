import type { Type } from '@nestjs/common';
import 'reflect-metadata';
import { ExtensionValidationError } from '../errors/index.js';
import { compact } from '../utils/compact.js';
import { invalidDefinitionMessage } from '../errors/messages.js';
import { createDefinition } from './definition.factory.js';
import type { ConfigFieldOptions, ExtensionDefinition, ExtensionOptions, ModelOptions } from './definition.interface.js';
import {
  ALL_METADATA_KEYS,
  CAPABILITIES_METADATA,
  CONFIG_FIELDS_METADATA,
  EXTENSION_METADATA,
  MODELS_METADATA,
  REQUIRES_METADATA,
} from './metadata.constants.js';

/** Whether a value is a class carrying @Extension. */
export function isExtensionClass(value: unknown): value is Type<unknown> {
  return typeof value === 'function' && Reflect.hasOwnMetadata(EXTENSION_METADATA, value);
}

/**
 * The `@Extension` name of a class, or of an instance's class (its own decorator: a subclass has its
 * own name); undefined when it has none. Lets code shared by subclasses name the extension it runs as.
 */
export function extensionNameOf(target: object): string | undefined {
  const cls = typeof target === 'function' ? target : target.constructor;
  return (Reflect.getOwnMetadata(EXTENSION_METADATA, cls) as ExtensionOptions | undefined)?.name;
}

/** Whether a class carries any of our decorators (used to catch a forgotten @Extension). */
export function hasExtensionMetadata(value: unknown): boolean {
  return typeof value === 'function' && ALL_METADATA_KEYS.some((key) => Reflect.hasOwnMetadata(key, value));
}

const CAMEL: Record<string, string> = {
  max_tokens: 'maxTokens',
  cost_per_token: 'costPerToken',
  env_var: 'envVar',
  'dependencies.packages': '@Requires',
  'dependencies.extensions': 'dependsOn',
};

/** Manifest field paths in the words a decorator author wrote. */
function decoratorFieldName(field: string): string {
  return field
    .replace(/^dependencies\.(packages|extensions)/, (m) => CAMEL[m])
    .replace(/^models\[(\d+)\]/, '@Model #$1')
    .replace(/^config\.([^.]+)/, "@ConfigField('$1')")
    .replace(/(max_tokens|cost_per_token|env_var)/g, (m) => CAMEL[m]);
}

/** The class and its ancestors that carry decorators of ours, the farthest ancestor first. */
function decoratedLineage(cls: Type<unknown>): Type<unknown>[] {
  const lineage: Type<unknown>[] = [];
  for (let current: unknown = cls; typeof current === 'function' && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
    if (current === cls || hasExtensionMetadata(current)) lineage.unshift(current as Type<unknown>);
  }
  return lineage;
}

/** The nearest ancestor that is an extension class of its own (carries @Extension), if any. */
export function extensionAncestor(cls: Type<unknown>): Type<unknown> | undefined {
  return decoratedLineage(cls)
    .slice(0, -1)
    .reverse()
    .find((ancestor) => isExtensionClass(ancestor));
}

/**
 * Config fields, capabilities and required packages are inherited from decorated ancestors: a field a
 * subclass declares again replaces the ancestor's declaration whole (in the ancestor's position).
 * `@Extension` and `@Model` are the class's own: a subclass is another extension, serving other models.
 */
function inherited<T>(cls: Type<unknown>, key: symbol): T[] {
  return decoratedLineage(cls).flatMap((c) => (Reflect.getOwnMetadata(key, c) as T[] | undefined) ?? []);
}

function inheritedFields(cls: Type<unknown>): (ConfigFieldOptions & { name: string })[] {
  const byName = new Map<string, ConfigFieldOptions & { name: string }>();
  for (const field of inherited<ConfigFieldOptions & { name: string }>(cls, CONFIG_FIELDS_METADATA)) byName.set(field.name, field);
  return [...byName.values()];
}

/** Reads the decorators of a class (and what it inherits, see `inherited`) into the normalized definition. */
export function definitionFromClass(cls: Type<unknown>, file: string, root: string): ExtensionDefinition {
  const options: ExtensionOptions | undefined = Reflect.getOwnMetadata(EXTENSION_METADATA, cls);
  if (!options) {
    const issues = [{ field: cls.name, message: 'has extension decorators but no @Extension({ name }); add it' }];
    throw new ExtensionValidationError(invalidDefinitionMessage(undefined, file, issues), undefined, issues, file);
  }
  const models: (ModelOptions & { name: string })[] = Reflect.getOwnMetadata(MODELS_METADATA, cls) ?? [];
  const fields = inheritedFields(cls);
  const raw = compact<Record<string, unknown>>({
    name: options.name,
    description: options.description,
    version: options.version,
    author: options.author,
    models: models.map(({ maxTokens, costPerToken, ...rest }) =>
      compact({ ...rest, max_tokens: maxTokens, cost_per_token: costPerToken }),
    ),
    capabilities: [...new Set(inherited<string>(cls, CAPABILITIES_METADATA))],
    dependencies: {
      packages: [...new Set(inherited<string>(cls, REQUIRES_METADATA))],
      extensions: options.dependsOn ?? [],
    },
    // Options left out must not count as "present but invalid".
    config: Object.fromEntries(fields.map(({ name, envVar, ...rest }) => [name, compact({ ...rest, env_var: envVar })])),
  });
  return createDefinition(raw, {
    style: 'decorator',
    source: file,
    root,
    loadClass: async () => cls,
    fieldName: decoratorFieldName,
  });
}
