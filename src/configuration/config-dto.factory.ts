import type { Type } from '@nestjs/common';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
} from 'class-validator';
import type { ConfigFieldDefinition } from '../definition/definition.interface.js';
import { MAX_PATTERN_INPUT_LENGTH } from '../definition/pattern-safety.js';

/*
 * Messages name the rule, never the value ($value is never used): the value may be a secret.
 */
function typeRule(field: ConfigFieldDefinition): PropertyDecorator {
  switch (field.type) {
    case 'string':
      return IsString({ message: 'must be a string' });
    case 'integer':
      return IsInt({ message: 'must be an integer' });
    case 'number':
      return IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' });
    case 'boolean':
      return IsBoolean({ message: 'must be a boolean' });
    case 'list':
      return IsArray({ message: 'must be a list' });
    case 'object':
      return IsObject({ message: 'must be an object' });
  }
}

function boundRules(field: ConfigFieldDefinition): PropertyDecorator[] {
  const rules: PropertyDecorator[] = [];
  const { min, max } = field;
  if (field.type === 'integer' || field.type === 'number') {
    if (min !== undefined) rules.push(Min(min, { message: `must be at least ${min}` }));
    if (max !== undefined) rules.push(Max(max, { message: `must be at most ${max}` }));
  } else if (field.type === 'string') {
    if (min !== undefined) rules.push(MinLength(min, { message: `must be at least ${min} characters long` }));
    if (max !== undefined) rules.push(MaxLength(max, { message: `must be at most ${max} characters long` }));
  } else if (field.type === 'list') {
    if (min !== undefined) rules.push(ArrayMinSize(min, { message: `must have at least ${min} items` }));
    if (max !== undefined) rules.push(ArrayMaxSize(max, { message: `must have at most ${max} items` }));
  }
  return rules;
}

/**
 * The value must match the pattern; a string longer than MAX_PATTERN_INPUT_LENGTH is an issue of its
 * own, and the pattern does not run on it.
 */
function patternRules(pattern: string): PropertyDecorator[] {
  const regex = new RegExp(pattern);
  const max = MAX_PATTERN_INPUT_LENGTH;
  const fits = (value: unknown) => typeof value !== 'string' || value.length <= max;
  return [
    ValidateBy({
      name: 'patternInputLength',
      validator: { validate: fits, defaultMessage: (args) => `is ${String(args?.value).length} characters long; a value with a pattern may be at most ${max}` },
    }),
    ValidateBy({
      name: 'matches',
      validator: { validate: (value) => typeof value === 'string' && (!fits(value) || regex.test(value)), defaultMessage: () => `must match the pattern /${pattern}/` },
    }),
  ];
}

/** Builds the class-validator DTO class for an extension's config fields. */
function buildConfigDto(extensionName: string, fields: ConfigFieldDefinition[]): Type<object> {
  const dto = class {};
  Object.defineProperty(dto, 'name', { value: `${extensionName.replace(/[^A-Za-z0-9]/g, '_')}ConfigDto` });
  for (const field of fields) {
    const rules: PropertyDecorator[] = [field.required ? IsDefined({ message: 'is required' }) : IsOptional(), typeRule(field), ...boundRules(field)];
    if (field.enum) {
      const allowed = field.secret ? 'one of the allowed values' : `one of: ${field.enum.map((v) => JSON.stringify(v)).join(', ')}`;
      rules.push(IsIn(field.enum, { message: `must be ${allowed}` }));
    }
    if (field.pattern !== undefined && field.type === 'string') rules.push(...patternRules(field.pattern));
    for (const rule of rules) rule(dto.prototype, field.name);
  }
  return dto;
}

/*
 * class-validator keeps the rules of every class it has seen in a global store that never shrinks, and
 * walks it on every validateSync in the app. So a DTO class is built once per set of rules and reused:
 * by every load of a definition, and by the same definition discovered again (a new manager, a
 * rescan), whose rules are equal. The cache grows only with distinct rule sets, as class-validator's
 * store would anyway; keying by content also means a changed field never gets a stale class.
 */
const built = new Map<string, Type<object>>();

/** Everything buildConfigDto reads, as one string. */
function rulesKey(extensionName: string, fields: ConfigFieldDefinition[]): string {
  const rules = fields.map((f) => [f.name, f.type, f.required, f.min, f.max, f.enum, f.pattern, f.secret]);
  return JSON.stringify([extensionName, rules]);
}

/** The class-validator DTO class for an extension's config fields; built once per set of rules. */
export function createConfigDto(extensionName: string, fields: ConfigFieldDefinition[]): Type<object> {
  const key = rulesKey(extensionName, fields);
  let dto = built.get(key);
  if (!dto) built.set(key, (dto = buildConfigDto(extensionName, fields)));
  return dto;
}
