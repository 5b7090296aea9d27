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

/** Reads the decorators of a class into the normalized definition. */
export function definitionFromClass(cls: Type<unknown>, file: string, root: string): ExtensionDefinition {
  const options: ExtensionOptions | undefined = Reflect.getOwnMetadata(EXTENSION_METADATA, cls);
  if (!options) {
    const issues = [{ field: cls.name, message: 'has extension decorators but no @Extension({ name }); add it' }];
    throw new ExtensionValidationError(invalidDefinitionMessage(undefined, file, issues), undefined, issues, file);
  }
  const models: (ModelOptions & { name: string })[] = Reflect.getOwnMetadata(MODELS_METADATA, cls) ?? [];
  const fields: (ConfigFieldOptions & { name: string })[] = Reflect.getOwnMetadata(CONFIG_FIELDS_METADATA, cls) ?? [];
  const raw = compact<Record<string, unknown>>({
    name: options.name,
    description: options.description,
    version: options.version,
    author: options.author,
    models: models.map(({ maxTokens, costPerToken, ...rest }) =>
      compact({ ...rest, max_tokens: maxTokens, cost_per_token: costPerToken }),
    ),
    capabilities: Reflect.getOwnMetadata(CAPABILITIES_METADATA, cls) ?? [],
    dependencies: {
      packages: Reflect.getOwnMetadata(REQUIRES_METADATA, cls) ?? [],
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
