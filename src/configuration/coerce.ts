import type { ConfigFieldType } from '../definition/definition.interface.js';

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

export type Coerced = { value: unknown } | { error: string };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Turns a string (from the environment, a .env file or explicit config) into the field's type, by one
 * set of rules wherever it came from. Error texts never contain the value: it may be a secret.
 */
export function coerceString(text: string, type: ConfigFieldType): Coerced {
  const trimmed = text.trim();
  switch (type) {
    case 'string':
      return { value: text };
    case 'integer':
      return /^[+-]?\d+$/.test(trimmed) ? { value: Number(trimmed) } : { error: 'must be an integer (e.g. 42)' };
    case 'number': {
      const value = Number(trimmed);
      return trimmed !== '' && Number.isFinite(value) ? { value } : { error: 'must be a number (e.g. 0.5)' };
    }
    case 'boolean': {
      const word = trimmed.toLowerCase();
      if (TRUE.includes(word)) return { value: true };
      if (FALSE.includes(word)) return { value: false };
      return { error: 'must be a boolean: true/false, 1/0, yes/no or on/off' };
    }
    case 'list': {
      if (trimmed.startsWith('[')) {
        const parsed = parseJson(trimmed);
        return Array.isArray(parsed) ? { value: parsed } : { error: 'must be a JSON array or a comma-separated list' };
      }
      return { value: trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim()) };
    }
    case 'object': {
      const parsed = parseJson(trimmed);
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? { value: parsed }
        : { error: 'must be a JSON object (e.g. {"key": "value"})' };
    }
  }
}
