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

/*
 * Words that make a field name read as a credential. Plurals are left out on purpose where they
 * usually count or name things rather than hold them: `maxTokens`/`tokens` is a number, `keys` a
 * list of names. `secrets`, `passwords` and `cookies` can only hold credentials, so they count.
 */
const CREDENTIAL_WORDS = new Set([
  'key', 'apikey', 'privatekey', 'token', 'secret', 'secrets', 'password', 'passwords', 'passwd', 'pwd', 'passphrase',
  'credential', 'credentials', 'auth', 'authorization', 'bearer', 'cookie', 'cookies', 'session',
]);

/** The words of a name in any spelling: apiKey, APIKey, api_key, api-key, OPENAI_API_KEY -> api, key. */
export function nameWords(name: string): string[] {
  return (name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []).map((word) => word.toLowerCase());
}

/**
 * Names that read as credentials are secret unless a field says `secret: false`: any of the name's
 * words is a credential word, so `openaiKey` and `sessionId` are, `maxTokens`, `keyword` and `author` are not.
 */
export function looksLikeCredential(name: string): boolean {
  return nameWords(name).some((word) => CREDENTIAL_WORDS.has(word));
}
