import semver from 'semver';
import { RESERVED_KEYS, OBJECT_PROTOTYPE_NAMES } from '../../utils/own.js';
import { CONFIG_FIELD_TYPES, type ConfigFieldType } from '../definition.interface.js';
import { NAME_PATTERN, RESERVED_NAMES } from '../metadata.constants.js';
import { CONFIG_FIELD_KEYS, ConfigFieldDto, DEPENDENCIES_KEYS, DependenciesDto, MANIFEST_KEYS, ManifestDto, ModelDto, SERVICE_KEYS, ServiceDto } from './manifest.dto.js';
import { MANIFEST_LIMITS } from './manifest-limits.js';
import { CONFIG_FIELD_NAME } from './manifest.validator.js';
import { CLASS_PATH } from './service-path.js';

/*
 * The JSON Schema of extension.yaml, built from the one definition of the manifest: the DTO classes
 * (turned into schemas by a class-validator converter the caller passes, class-validator-jsonschema at
 * build time) plus the validator's own rules and limits, imported from where the loader reads them.
 * Nothing here restates a rule by hand.
 */

export type JsonSchema = { [keyword: string]: unknown };

/** Turns one class-validator DTO class into a JSON Schema, with `$ref: '#/definitions/<Class>'` for nested DTOs. */
export type DtoToSchema = (dto: new () => object) => JsonSchema;

/** The DTO classes the schema is built from, by the names their $refs use. */
export const MANIFEST_DTOS = { ManifestDto, ModelDto, ConfigFieldDto, DependenciesDto, ServiceDto } as const;

/** Where the package ships the schema, and how an installed copy is imported. */
export const MANIFEST_SCHEMA_FILE = 'extensions/extension.schema.json';
export const MANIFEST_SCHEMA_EXPORT = 'gleitzeit-extensions/extension.schema.json';

/** What the loader checks that a JSON Schema cannot say; the schema's $comment lists them. */
export const LOADER_ONLY_CHECKS = [
  'a package specifier\'s syntax (dependencies.packages)',
  'a model name declared twice',
  'config min greater than max',
  'a config pattern that is not a regular expression or can backtrack catastrophically',
  'service.class_path naming a module that exists in the folder and exports a class',
  `the YAML itself: syntax, duplicate keys, at most ${MANIFEST_LIMITS.nodes} nodes, ${MANIFEST_LIMITS.aliases} aliases and ${MANIFEST_LIMITS.depth} levels, ${MANIFEST_LIMITS.fileBytes} bytes`,
];

const JSON_TYPE: Record<ConfigFieldType, string> = {
  string: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  list: 'array',
  object: 'object',
};

/** semver.valid()'s own regular expression, with the surrounding whitespace it trims. */
function semverPattern(): string {
  const { re, tokens } = semver as unknown as { re: RegExp[]; tokens: Record<string, number> };
  return `^\\s*${re[tokens.FULL].source.slice(1, -1)}\\s*$`;
}

/** The generated properties must be exactly the keys the validator knows: a DTO change shows up here. */
function closed(schema: JsonSchema, keys: string[], extra: Record<string, JsonSchema> = {}): JsonSchema {
  const properties = { ...(schema.properties as Record<string, JsonSchema>), ...extra };
  const names = Object.keys(properties);
  const drift = [...names.filter((k) => !keys.includes(k)), ...keys.filter((k) => !names.includes(k))];
  if (drift.length) throw new Error(`The manifest DTO and its known keys differ in: ${drift.join(', ')}`);
  return { ...schema, properties: Object.fromEntries(keys.map((k) => [k, properties[k]])), additionalProperties: false };
}

/**
 * An optional key may also be null (`capabilities:` with nothing after it): class-validator's
 * @IsOptional passes null as it passes a missing key, and so does the loader.
 */
function nullable(schema: JsonSchema): JsonSchema {
  const required = (schema.required as string[] | undefined) ?? [];
  const properties = Object.entries(schema.properties as Record<string, JsonSchema>).map(([key, property]) => {
    if (required.includes(key)) return [key, property];
    if (typeof property.$ref === 'string') return [key, { anyOf: [{ $ref: property.$ref }, { type: 'null' }] }];
    if (typeof property.type !== 'string') return [key, property];
    const orNull = { ...property, type: [property.type, 'null'] };
    return [key, Array.isArray(property.enum) ? { ...orNull, enum: [...property.enum, null] } : orNull];
  });
  return { ...schema, properties: Object.fromEntries(properties) };
}

const ref = (name: keyof typeof MANIFEST_DTOS | 'PlainData') => ({ $ref: `#/definitions/${name}` });

/** Builds the schema; `toSchema` is the class-validator converter (see test/schema/generate-extension-schema.mjs). */
export function manifestJsonSchema(toSchema: DtoToSchema): JsonSchema {
  const [root, model, field, dependencies, service] = [ManifestDto, ModelDto, ConfigFieldDto, DependenciesDto, ServiceDto].map(toSchema);
  const props = root.properties as Record<string, JsonSchema>;
  const depProps = dependencies.properties as Record<string, JsonSchema>;
  const defaults = CONFIG_FIELD_TYPES.map((type) => ({
    // A field without a type (or with type: null) is a string field.
    if: type === 'string' ? { properties: { type: { enum: [type, null] } } } : { properties: { type: { const: type } }, required: ['type'] },
    then: { properties: { default: { type: [JSON_TYPE[type], 'null'] } } },
  }));
  const manifest = closed({ ...root, required: [...new Set([...((root.required as string[]) ?? []), 'service'])] }, MANIFEST_KEYS, {
    name: { ...props.name, not: { enum: RESERVED_NAMES } },
    version: { ...props.version, pattern: semverPattern(), maxLength: 256 },
    models: { ...props.models, maxItems: MANIFEST_LIMITS.models },
    config: {
      ...props.config,
      maxProperties: MANIFEST_LIMITS.configFields,
      propertyNames: { pattern: CONFIG_FIELD_NAME.source, not: { enum: [...OBJECT_PROTOTYPE_NAMES].sort() } },
      additionalProperties: ref('ConfigFieldDto'),
    },
  });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: MANIFEST_SCHEMA_EXPORT,
    title: 'extension.yaml of gleitzeit-extensions',
    description: 'A config-style extension: name, models, capabilities, dependencies, config fields and the service class.',
    $comment: `Generated from src/definition/manifest (npm run schema); do not edit. The loader also checks: ${LOADER_ONLY_CHECKS.join('; ')}.`,
    ...nullable(manifest),
    allOf: [ref('PlainData')],
    definitions: {
      ModelDto: nullable(model),
      ConfigFieldDto: { ...nullable(closed(field, CONFIG_FIELD_KEYS, { default: {} })), allOf: defaults },
      DependenciesDto: nullable(closed(dependencies, DEPENDENCIES_KEYS, { extensions: { ...depProps.extensions, items: { type: 'string', pattern: NAME_PATTERN.source } } })),
      ServiceDto: closed(service, SERVICE_KEYS, { class_path: { ...(service.properties as Record<string, JsonSchema>).class_path, pattern: CLASS_PATH.source } }),
      // Anywhere in a manifest: no key that reaches a prototype, no string or key past the length limit.
      PlainData: {
        maxLength: MANIFEST_LIMITS.stringLength,
        propertyNames: { maxLength: MANIFEST_LIMITS.stringLength, not: { enum: [...RESERVED_KEYS].sort() } },
        additionalProperties: ref('PlainData'),
        items: ref('PlainData'),
      },
    },
  };
}
