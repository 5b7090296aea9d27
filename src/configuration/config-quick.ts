import type { ConfigFieldDefinition } from '../definition/definition.interface.js';

const within = (n: number, min: number | undefined, max: number | undefined) => (min === undefined || n >= min) && (max === undefined || n <= max);

/** Whether the value is surely of the field's type and within its bounds, as the DTO's rules say. */
function fits(field: ConfigFieldDefinition, value: unknown): boolean {
  const { min, max } = field;
  switch (field.type) {
    case 'string':
      // Length bounds count characters as class-validator does (surrogate pairs, variation selectors): the DTO's way.
      return typeof value === 'string' && min === undefined && max === undefined;
    case 'integer':
      return Number.isInteger(value) && within(value as number, min, max);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && within(value, min, max);
    case 'boolean':
      return typeof value === 'boolean';
    case 'list':
      return Array.isArray(value) && within(value.length, min, max);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
  return false;
}

/**
 * Whether the config DTO's rules surely pass these resolved values: every required field set, every
 * value of its type, within its bounds and among its allowed values. Then the DTO class need not be
 * built and class-validator need not run (on a boot of many extensions, its store of rules is walked
 * per check). Anything else (a pattern, a string with length bounds, a value that fails) returns false,
 * and the DTO checks it, with its messages. test/configuration/config-quick.spec.ts holds it to that.
 */
export function quickConfigValid(fields: readonly ConfigFieldDefinition[], values: Readonly<Record<string, unknown>>): boolean {
  for (const field of fields) {
    if (field.pattern !== undefined) return false;
    const value = Object.hasOwn(values, field.name) ? values[field.name] : undefined;
    if (value === undefined || value === null) {
      if (field.required) return false;
      continue;
    }
    if (field.enum && !field.enum.some((allowed) => allowed === value)) return false;
    if (!fits(field, value)) return false;
  }
  return true;
}
