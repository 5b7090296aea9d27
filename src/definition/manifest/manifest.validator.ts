import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import semver from 'semver';
import { isOfFieldType } from '../field-types.js';
import { readPackageSpec } from '../package-spec.js';
import type { ExtensionIssue } from '../../errors/index.js';
import { didYouMean } from '../../utils/did-you-mean.js';
import type { ConfigFieldType } from '../definition.interface.js';
import { NAME_PATTERN, RESERVED_NAMES } from '../metadata.constants.js';
import { patternProblem } from '../pattern-safety.js';
import { OBJECT_PROTOTYPE_NAMES } from '../../utils/own.js';
import { isPlainObject } from '../../utils/plain-data.js';
import { CONFIG_FIELD_KEYS, ConfigFieldDto, DEPENDENCIES_KEYS, MANIFEST_KEYS, ManifestDto, SERVICE_KEYS } from './manifest.dto.js';
import { MANIFEST_LIMITS } from './manifest-limits.js';
import { quickConfigField, quickManifest } from './manifest-quick.js';
import { withoutReservedKeys } from './reserved-keys.js';

export interface ManifestCheck {
  manifest: ManifestDto;
  /** Config entries, validated one by one, in declaration order. */
  config: [string, ConfigFieldDto][];
  issues: ExtensionIssue[];
}

function flatten(errors: ValidationError[], prefix = ''): ExtensionIssue[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : `${prefix}${prefix ? '.' : ''}${error.property}`;
    // A wrong type already says what nested validation would repeat.
    const { nestedValidation, ...constraints } = error.constraints ?? {};
    const messages = Object.keys(constraints).length ? Object.values(constraints) : nestedValidation ? [nestedValidation] : [];
    const own = messages
      .filter((message, index, all) => all.indexOf(message) === index)
      .map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** The common shapes, checked without class-validator (manifest-quick.ts); the DTO's rules otherwise. */
const QUICK = new Map<Function, (raw: Record<string, unknown>) => boolean>([
  [ManifestDto, quickManifest],
  [ConfigFieldDto, quickConfigField],
]);

function validate<T extends object>(cls: new () => T, raw: object, prefix: string): { value: T; issues: ExtensionIssue[] } {
  if (QUICK.get(cls)?.(raw as Record<string, unknown>)) return { value: raw as T, issues: [] };
  const value = plainToInstance(cls, raw);
  return { value, issues: flatten(validateSync(value, { forbidUnknownValues: false }), prefix) };
}

/** The value when it is a list; the shape check has already reported it otherwise. */
const listOf = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value : []);

function unknownKeys(raw: Record<string, unknown>, known: string[], prefix: string): ExtensionIssue[] {
  return Object.keys(raw)
    .filter((key) => !known.includes(key))
    .map((key) => ({
      field: `${prefix}${key}`,
      message: `is not a known key.${didYouMean(key, known) || ` Known keys: ${known.join(', ')}.`}`,
    }));
}

function validRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** What a config field may be named: letters, digits, _, - and $, not starting with a digit or -. */
export const CONFIG_FIELD_NAME = /^[A-Za-z_$][\w$-]*$/;

function checkConfigField(name: string, field: ConfigFieldDto, prefix: string): ExtensionIssue[] {
  const issues: ExtensionIssue[] = [];
  const at = (key: string) => `${prefix}${name}.${key}`;
  if (!CONFIG_FIELD_NAME.test(name)) {
    issues.push({ field: `${prefix}${name}`, message: 'is not a valid field name (letters, digits, _, - and $)' });
  }
  const type = (field.type ?? 'string') as ConfigFieldType;
  if (typeof field.min === 'number' && typeof field.max === 'number' && field.min > field.max) {
    issues.push({ field: at('min'), message: `(${field.min}) is greater than max (${field.max}); swap them` });
  }
  if (typeof field.pattern === 'string') {
    const problem = validRegExp(field.pattern) ? patternProblem(field.pattern) : 'is not a valid regular expression';
    if (problem) issues.push({ field: at('pattern'), message: problem });
  }
  if (field.default !== undefined && field.default !== null && issues.every((i) => !i.field.endsWith('.type'))) {
    if (!isOfFieldType(field.default, type)) {
      issues.push({ field: at('default'), message: `must be of type ${type}, as the field declares` });
    }
  }
  return issues;
}

/** Counts past the limits, checked before validation, whose cost grows with each model and field. */
function countIssues(input: Record<string, unknown>): ExtensionIssue[] {
  const issues: ExtensionIssue[] = [];
  const { models, config } = input;
  if (Array.isArray(models) && models.length > MANIFEST_LIMITS.models) {
    issues.push({ field: 'models', message: `has ${models.length} models; the limit is ${MANIFEST_LIMITS.models}. A wildcard name (gpt-4*) serves a family of models` });
  }
  const fields = config !== null && typeof config === 'object' && !Array.isArray(config) ? Object.keys(config).length : 0;
  if (fields > MANIFEST_LIMITS.configFields) {
    issues.push({ field: 'config', message: `has ${fields} fields; the limit is ${MANIFEST_LIMITS.configFields}` });
  }
  return issues;
}

/**
 * Validates a manifest-shaped object (from YAML, or mapped from decorator metadata) and collects every
 * problem at once. `needsService` is true for YAML manifests, which name their class in `service`.
 */
export function checkManifest(input: Record<string, unknown>, needsService: boolean): ManifestCheck {
  const counted = countIssues(input);
  if (counted.length) return { manifest: {} as ManifestDto, config: [], issues: counted };
  // Validation runs on a copy without __proto__/constructor/prototype keys; each is an issue.
  const { copy: raw, issues: reserved } = withoutReservedKeys(input);
  const { value: manifest, issues } = validate(ManifestDto, raw, '');
  issues.push(...reserved, ...unknownKeys(raw, MANIFEST_KEYS, ''));
  for (const [key, known] of [['dependencies', DEPENDENCIES_KEYS], ['service', SERVICE_KEYS]] as const) {
    const value = raw[key];
    if (isPlainObject(value)) issues.push(...unknownKeys(value, known, `${key}.`));
  }
  if (typeof raw.name === 'string' && RESERVED_NAMES.includes(raw.name)) {
    issues.push({ field: 'name', message: `"${raw.name}" is reserved (it is the readiness key of /health/ready); choose another name` });
  }
  if (typeof manifest.version === 'string' && semver.valid(manifest.version) === null) {
    issues.push({ field: 'version', message: `"${manifest.version}" is not a semver version such as 1.0.0` });
  }
  if (needsService && (raw.service === undefined || raw.service === null)) {
    issues.push({ field: 'service', message: 'is required: add service.class_path, e.g. service.MyProviderService' });
  }
  listOf(manifest.dependencies?.packages).forEach((spec, index) => {
    const read = typeof spec === 'string' ? readPackageSpec(spec) : undefined;
    if (read && 'problem' in read) {
      issues.push({ field: `dependencies.packages[${index}]`, message: `"${spec}" is not a package specifier: ${read.problem}` });
    }
  });
  listOf(manifest.dependencies?.extensions).forEach((name, index) => {
    if (typeof name === 'string' && !NAME_PATTERN.test(name)) {
      issues.push({ field: `dependencies.extensions[${index}]`, message: `"${name}" is not an extension name` });
    }
  });
  const seen = new Set<string>();
  listOf(manifest.models).forEach((model, index) => {
    if (typeof model?.name === 'string' && seen.has(model.name)) {
      issues.push({ field: `models[${index}].name`, message: `"${model.name}" is declared twice` });
    }
    seen.add(model?.name);
  });

  const config: [string, ConfigFieldDto][] = [];
  const given = input.config;
  if (given && typeof given === 'object' && !Array.isArray(given)) {
    for (const name of Object.keys(given)) {
      const prefix = `config.${name}`;
      if (OBJECT_PROTOTYPE_NAMES.has(name)) {
        issues.push({ field: prefix, message: 'is a property every JavaScript object has; rename the field' });
        continue;
      }
      const entry = (raw.config as Record<string, unknown>)[name];
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        issues.push({ field: prefix, message: 'must be a mapping of field options (type, required, default, env_var, ...)' });
        continue;
      }
      const checked = validate(ConfigFieldDto, entry, prefix);
      issues.push(...checked.issues, ...unknownKeys(entry as Record<string, unknown>, CONFIG_FIELD_KEYS, `${prefix}.`));
      issues.push(...checkConfigField(name, checked.value, 'config.'));
      config.push([name, checked.value]);
    }
  }
  return { manifest, config, issues };
}
