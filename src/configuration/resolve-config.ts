import { validateSync } from 'class-validator';
import type { ExtensionDefinition } from '../definition/definition.interface.js';
import { ExtensionConfigError, type ExtensionIssue } from '../errors/index.js';
import { invalidConfigMessage } from '../errors/messages.js';
import { didYouMean } from '../utils/did-you-mean.js';
import { ownValue, setOwn } from '../utils/own.js';
import { findReservedKey, isPlainData } from '../utils/plain-data.js';
import { createConfigDto } from './config-dto.factory.js';
import { quickConfigValid } from './config-quick.js';
import { coerceString } from './coerce.js';

/** Reads one environment variable: through @nestjs/config's ConfigService when the app has one. */
export type EnvReader = (name: string) => string | undefined;

export const processEnv: EnvReader = (name) => process.env[name];

/**
 * Each load gets its own copy of list and object values (defaults and explicit ones), so what one
 * instance changes in its config never shows in the next load, the definition or the host's options.
 * A value holding anything but plain data (a client, a class instance, a function) is passed as it is.
 */
function ownCopy(value: unknown): unknown {
  return value !== null && typeof value === 'object' && isPlainData(value) ? structuredClone(value) : value;
}

/**
 * The validated config of an extension: explicit values beat environment variables, which beat
 * defaults. Every problem is collected into one ExtensionConfigError.
 */
export function resolveConfig(
  definition: ExtensionDefinition,
  explicit: Record<string, unknown> = {},
  env: EnvReader = processEnv,
): Record<string, unknown> {
  const issues: ExtensionIssue[] = [];
  const fieldNames = definition.configFields.map((f) => f.name);
  for (const key of Object.keys(explicit)) {
    if (!fieldNames.includes(key)) {
      const known = fieldNames.length ? ` Known fields: ${fieldNames.join(', ')}.` : ' This extension declares no config fields.';
      issues.push({ field: key, message: `is not a config field of this extension.${didYouMean(key, fieldNames)}${known}` });
    }
  }
  const values: Record<string, unknown> = {};
  for (const field of definition.configFields) {
    // Own properties only: a field named like an Object.prototype property must not find it.
    let value: unknown = ownValue(explicit, field.name);
    let origin = 'explicit config';
    if (value === undefined || value === null) {
      const fromEnv = field.envVar ? env(field.envVar) : undefined;
      value = fromEnv;
      origin = `environment variable ${field.envVar}`;
      if (fromEnv === undefined || fromEnv === '') {
        value = field.default;
        origin = 'default';
      }
    }
    if (value === undefined || value === null) {
      if (field.required) {
        const viaEnv = field.envVar ? `set the environment variable ${field.envVar}, or ` : '';
        issues.push({
          field: field.name,
          message: `is required: ${viaEnv}pass extensionConfigs['${definition.name}'].${field.name}`,
          unset: field.envVar ?? `extensionConfigs['${definition.name}'].${field.name}`,
        });
      }
      continue;
    }
    if (typeof value === 'string' && field.type !== 'string') {
      const coerced = coerceString(value, field.type);
      if ('error' in coerced) {
        issues.push({ field: field.name, message: `${coerced.error} (from ${origin})` });
        continue;
      }
      value = coerced.value;
    }
    const reserved = findReservedKey(value);
    if (reserved !== undefined) {
      issues.push({
        field: field.name,
        message: `must not contain the key "${reserved}" (at any depth): it reaches the prototype of objects built from the value; rename the key (from ${origin})`,
      });
      continue;
    }
    setOwn(values, field.name, ownCopy(value));
  }
  if (!quickConfigValid(definition.configFields, values)) {
    // The DTO gets the values as they are: class-transformer would copy nested values, and build class
    // instances it finds in them again.
    const dto = new (createConfigDto(definition.name, definition.configFields))() as Record<string, unknown>;
    for (const [key, value] of Object.entries(values)) setOwn(dto, key, value);
    for (const error of validateSync(dto, { forbidUnknownValues: false })) {
      if (issues.some((issue) => issue.field === error.property)) continue;
      const messages = [...new Set(Object.values(error.constraints ?? {}))];
      issues.push(...messages.map((message) => ({ field: error.property, message })));
    }
  }
  if (issues.length) {
    throw new ExtensionConfigError(invalidConfigMessage(definition.name, issues), definition.name, issues);
  }
  return values;
}
