import { readFile, stat } from 'node:fs/promises';
import YAML, { LineCounter } from 'yaml';
import { ExtensionConfigError, type ExtensionIssue } from '../errors/index.js';
import { accessIssues, resolveAccess, type AccessKeyOptions, type AccessOptions } from '../gateway/access/access.options.js';

/** A keys file of 100,000 keys with their settings fits; anything larger is a mistake. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Introspection (mounted at the root by the app) and /metrics need a key once keys are configured. */
export const DEFAULT_PROTECTED_PATHS = ['extensions', 'models', 'metrics'];

function fail(where: string, issues: ExtensionIssue[]): never {
  const list = issues.map((issue) => `\n  - ${issue.field}: ${issue.message}`).join('');
  throw new ExtensionConfigError(`Invalid gateway access settings in ${where} (${issues.length} problem${issues.length === 1 ? '' : 's'}):${list}`, undefined, issues);
}

/** GATEWAY_KEYS_FILE: YAML or JSON (JSON is YAML) in the shape of `access` options, checked field by field. */
async function readKeysFile(file: string): Promise<AccessOptions> {
  const where = `GATEWAY_KEYS_FILE ${file}`;
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) fail(where, [{ field: '(file)', message: 'is not a regular file' }]);
    if (info.size > MAX_FILE_BYTES) fail(where, [{ field: '(file)', message: `is ${info.size} bytes; the limit is ${MAX_FILE_BYTES}` }]);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof ExtensionConfigError) throw error;
    fail(where, [{ field: '(file)', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path` }]);
  }
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    fail(
      where,
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        // The parser's message may quote the text around the error: a key, perhaps. Say where, not what.
        return { field: `line ${line}, column ${col}`, message: `YAML syntax error (${error.code})` };
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    fail(where, [{ field: '(yaml)', message: (error as Error).message }]);
  }
  const { issues } = accessIssues(raw);
  if (issues.length) fail(where, issues);
  return raw as AccessOptions;
}

/** GATEWAY_API_KEYS: `key1,key2` or `name=key` pairs (split at the first `=`: a key that holds `=` needs a name). */
function keysFromList(text: string): AccessKeyOptions[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const at = part.indexOf('=');
      return at > 0 ? { name: part.slice(0, at).trim(), key: part.slice(at + 1).trim() } : { key: part };
    });
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1 (got ${JSON.stringify(text.slice(0, 20))})`);
  return value;
}

/**
 * The gateway's access options from the environment: keys from GATEWAY_KEYS_FILE and GATEWAY_API_KEYS
 * (both may be set: the lists are joined), GATEWAY_RATE_LIMIT_RPM as every key's default RPM (over the
 * file's `defaults.rpm`), REDIS_URL (over the file's `redisUrl`), GATEWAY_ALLOW_ANONYMOUS=true, and
 * GATEWAY_PROTECTED_PATHS (comma-separated, or `none`; default: the file's, else extensions, models, metrics).
 * Checked here, so a mistake stops the boot naming the variable or the file and the field.
 */
export async function accessFromEnv(env: NodeJS.ProcessEnv): Promise<AccessOptions> {
  const file = env.GATEWAY_KEYS_FILE?.trim() ? await readKeysFile(env.GATEWAY_KEYS_FILE.trim()) : {};
  const listed = env.GATEWAY_API_KEYS ? keysFromList(env.GATEWAY_API_KEYS) : [];
  const listIssues = accessIssues({ keys: listed }).issues.map((issue) => ({ ...issue, field: issue.field.replace(/^keys\[(\d+)\]/, (_, i: string) => `entry ${Number(i) + 1}`) }));
  if (listIssues.length) fail('GATEWAY_API_KEYS (comma-separated keys or name=key pairs)', listIssues);
  const rpm = wholeNumber(env, 'GATEWAY_RATE_LIMIT_RPM');
  const paths = env.GATEWAY_PROTECTED_PATHS;
  const options: AccessOptions = {
    ...file,
    keys: [...(file.keys ?? []), ...listed],
    defaults: { ...file.defaults, ...(rpm !== undefined && { rpm }) },
    protectedPaths: paths?.trim() ? (paths.trim() === 'none' ? [] : paths.split(',').map((p) => p.trim()).filter(Boolean)) : (file.protectedPaths ?? DEFAULT_PROTECTED_PATHS),
    ...(env.REDIS_URL?.trim() && { redisUrl: env.REDIS_URL.trim() }),
  };
  if (env.GATEWAY_ALLOW_ANONYMOUS !== undefined && env.GATEWAY_ALLOW_ANONYMOUS !== '') {
    if (!['true', 'false'].includes(env.GATEWAY_ALLOW_ANONYMOUS)) throw new Error(`GATEWAY_ALLOW_ANONYMOUS must be true or false (got ${JSON.stringify(env.GATEWAY_ALLOW_ANONYMOUS.slice(0, 20))})`);
    options.allowAnonymous = env.GATEWAY_ALLOW_ANONYMOUS === 'true';
  }
  // The whole set once more (a key in both the file and the list, production without keys), as the gateway will.
  const where = [env.GATEWAY_KEYS_FILE?.trim() && `GATEWAY_KEYS_FILE ${env.GATEWAY_KEYS_FILE.trim()}`, listed.length && 'GATEWAY_API_KEYS'].filter(Boolean).join(' and ') || 'the environment';
  resolveAccess(options, 'v1', where, env);
  return options;
}
