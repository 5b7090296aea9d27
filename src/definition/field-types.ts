import type { ConfigFieldType } from './definition.interface.js';

/** Whether an already-typed value (not a string to coerce) fits a config field type. */
export function isOfFieldType(value: unknown, type: ConfigFieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'list':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

/** Names that read as credentials are secret unless a field says `secret: false`. */
const CREDENTIAL_NAME = /(api[_-]?key|token|secret|password|passwd|credential|private[_-]?key)/i;

export function looksLikeCredential(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}
