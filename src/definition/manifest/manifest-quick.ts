import { CONFIG_FIELD_TYPES } from '../definition.interface.js';
import { NAME_PATTERN } from '../metadata.constants.js';

/*
 * The common manifest, recognized without class-transformer and class-validator: every field of the
 * shape ManifestDto and ConfigFieldDto declare, with the value they expect, no nulls, no non-finite
 * numbers. A manifest (or decorator metadata mapped onto one) that passes is valid for the DTOs too and
 * is used as it is; anything else goes through class-validator, whose messages name the field. At
 * 1,000 extensions the DTO pass was a third of a second of the boot. test/definition/manifest-quick.spec.ts
 * holds these checks to a subset of the DTOs' on generated manifests.
 */

type Check = (value: unknown) => boolean;

const isString: Check = (value) => typeof value === 'string';
const isFilled: Check = (value) => typeof value === 'string' && value !== '';
const isFiniteNumber: Check = (value) => typeof value === 'number' && Number.isFinite(value);
const isBoolean: Check = (value) => typeof value === 'boolean';
const isPrimitive: Check = (value) => value === null || ['string', 'number', 'boolean'].includes(typeof value);
const isStringList: Check = (value) => Array.isArray(value) && value.every(isString);
const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
/** Absent, or as `check` wants it (class-validator's IsOptional also lets null through: here null is not common). */
const optional = (value: unknown, check: Check) => value === undefined || check(value);

const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FIELD_TYPES: readonly unknown[] = CONFIG_FIELD_TYPES;

function isModel(model: unknown): boolean {
  if (!isMapping(model)) return false;
  return (
    isFilled(model.name) &&
    optional(model.capabilities, isStringList) &&
    optional(model.max_tokens, (v) => Number.isInteger(v) && (v as number) >= 1) &&
    optional(model.cost_per_token, (v) => isFiniteNumber(v) && (v as number) >= 0) &&
    optional(model.aliases, isStringList) &&
    optional(model.priority, isFiniteNumber)
  );
}

/** Whether ManifestDto's rules pass on `raw` for certain (false: ask class-validator). */
export function quickManifest(raw: Record<string, unknown>): boolean {
  const { dependencies, service } = raw;
  return (
    typeof raw.name === 'string' &&
    NAME_PATTERN.test(raw.name) &&
    optional(raw.description, isString) &&
    optional(raw.version, isString) &&
    optional(raw.author, isString) &&
    optional(raw.models, (v) => Array.isArray(v) && v.every(isModel)) &&
    optional(raw.capabilities, isStringList) &&
    optional(dependencies, (v) => isMapping(v) && optional(v.packages, isStringList) && optional(v.extensions, isStringList)) &&
    optional(raw.config, isMapping) &&
    optional(service, (v) => isMapping(v) && isFilled(v.class_path))
  );
}

/** Whether ConfigFieldDto's rules pass on one config entry for certain (false: ask class-validator). */
export function quickConfigField(raw: Record<string, unknown>): boolean {
  return (
    // A list or mapping as the default (or among the allowed values) goes the DTO's way: class-transformer
    // copies such values its own way (an object with a `valueOf` key, say, comes out changed).
    optional(raw.default, isPrimitive) &&
    optional(raw.type, (v) => FIELD_TYPES.includes(v)) &&
    optional(raw.required, isBoolean) &&
    optional(raw.env_var, (v) => typeof v === 'string' && ENV_VAR.test(v)) &&
    optional(raw.description, isString) &&
    optional(raw.min, isFiniteNumber) &&
    optional(raw.max, isFiniteNumber) &&
    optional(raw.enum, (v) => Array.isArray(v) && v.every(isPrimitive)) &&
    optional(raw.pattern, isString) &&
    optional(raw.secret, isBoolean)
  );
}
