import type { Type } from '@nestjs/common';
import { looksLikeCredential } from './field-types.js';
import { parsePackageSpec } from './package-spec.js';
import { ExtensionValidationError, type ExtensionIssue } from '../errors/index.js';
import { invalidDefinitionMessage } from '../errors/messages.js';
import type {
  ConfigFieldDefinition,
  ConfigFieldType,
  ExtensionDefinition,
  ExtensionStyle,
  ModelInfo,
} from './definition.interface.js';
import { checkManifest } from './manifest/manifest.validator.js';

export interface DefinitionSource {
  style: ExtensionStyle;
  /** The defining file. */
  source: string;
  /** The extension's folder. */
  root: string;
  loadClass(): Promise<Type<unknown>>;
  /** Turns a manifest field path into the name the author wrote (decorator options are camelCase). */
  fieldName?: (field: string) => string;
}

/**
 * Turns a manifest-shaped object into the normalized definition, or throws one
 * ExtensionValidationError listing every problem.
 */
export function createDefinition(raw: Record<string, unknown>, from: DefinitionSource): ExtensionDefinition {
  const { manifest, config, issues } = checkManifest(raw, from.style === 'config');
  if (issues.length > 0) {
    const name = typeof raw.name === 'string' ? raw.name : undefined;
    const named: ExtensionIssue[] = from.fieldName
      ? issues.map((issue) => ({ ...issue, field: from.fieldName!(issue.field) }))
      : issues;
    throw new ExtensionValidationError(invalidDefinitionMessage(name, from.source, named), name, named, from.source);
  }
  const extensionCapabilities = manifest.capabilities ?? [];
  const models: ModelInfo[] = (manifest.models ?? []).map((model) => {
    const { name, capabilities, max_tokens, cost_per_token, aliases, priority, ...extra } = model as unknown as Record<string, unknown>;
    return {
      ...extra,
      name: name as string,
      capabilities: (capabilities as string[] | undefined) ?? [],
      maxTokens: max_tokens as number | undefined,
      costPerToken: cost_per_token as number | undefined,
      aliases: (aliases as string[] | undefined) ?? [],
      priority: (priority as number | undefined) ?? 0,
    };
  });
  const configFields: ConfigFieldDefinition[] = config.map(([name, field]) => ({
    name,
    type: (field.type ?? 'string') as ConfigFieldType,
    required: field.required ?? false,
    default: field.default ?? undefined,
    envVar: field.env_var,
    description: field.description,
    min: field.min,
    max: field.max,
    enum: field.enum,
    pattern: field.pattern,
    secret: field.secret ?? looksLikeCredential(name),
  }));
  return {
    name: manifest.name,
    version: manifest.version ?? '1.0.0',
    description: manifest.description ?? '',
    author: manifest.author,
    style: from.style,
    source: from.source,
    root: from.root,
    models,
    capabilities: extensionCapabilities,
    requires: (manifest.dependencies?.packages ?? []).map((spec) => parsePackageSpec(spec)!),
    dependsOn: manifest.dependencies?.extensions ?? [],
    configFields,
    loadClass: from.loadClass,
  };
}
