import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SHIPPED_EXTENSIONS } from '../../src/index.js';
import { MOCK_FAULTS_OFF } from '../resilience/support.js';
import { startGateway } from './support.js';

/** Every access setting at its "unset" value: a test sets only what it wants. */
export const ACCESS_UNSET: Record<string, string> = {
  GATEWAY_API_KEYS: '',
  GATEWAY_KEYS_FILE: '',
  GATEWAY_RATE_LIMIT_RPM: '',
  GATEWAY_ALLOW_ANONYMOUS: '',
  GATEWAY_PROTECTED_PATHS: '',
  REDIS_URL: '',
};

export const ALICE = 'sk-alice-4f8a1c9e2b7d6035';
export const BOB = 'sk-bob-93c1e7a05d2f8b64';

/** The `priced` fixture: the mock with costPerToken 0.001 USD. */
export const PRICED = resolve('test/fixtures/access');

/** A keys file in a fresh temp folder. */
export function keysFile(content: string, name = 'keys.yaml'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gleitzeit-keys-')), name);
  writeFileSync(file, content);
  return file;
}

/** The gateway app over the mock (faults off, no retries), with the access settings given. */
export function keyedGateway(env: Record<string, string>) {
  return startGateway({
    GLEITZEIT_EXTENSIONS: 'mock',
    GLEITZEIT_EXTENSIONS_PATH: SHIPPED_EXTENSIONS,
    GLEITZEIT_TIMEOUT_MS: '',
    GLEITZEIT_RESILIENCE: '{"retries":0,"breaker":false}',
    ...MOCK_FAULTS_OFF,
    ...ACCESS_UNSET,
    ...env,
  });
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A chat request of five words: the mock answers them back, so its usage is 5 + 5 = 10 tokens. */
export const FIVE_WORDS = (model = 'mock', extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: 'one two three four five' }], ...extra });
