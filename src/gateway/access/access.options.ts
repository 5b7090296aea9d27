import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { createHash } from 'node:crypto';
import { ExtensionConfigError, type ExtensionIssue } from '../../errors/index.js';
import { didYouMean } from '../../utils/did-you-mean.js';
import { ACCESS_KEYS, AccessOptionsDto, KEY_KEYS, LIMIT_KEYS } from './access.dto.js';

/** Limits of one key (`null` lifts a default). */
export interface AccessLimits {
  rpm?: number | null;
  tpm?: number | null;
  dailyBudgetUsd?: number | null;
  monthlyBudgetUsd?: number | null;
  models?: string[] | null;
}

export interface AccessKeyOptions extends AccessLimits {
  name?: string;
  /** The key clients send as `Authorization: Bearer <key>` (16 to 512 printable characters). */
  key?: string;
  /** Instead of `key`: its SHA-256 in hex. */
  sha256?: string;
}

/** `OpenAiGatewayModule.register({ access })`: API keys, their limits, and where the counters live. */
export interface AccessOptions {
  keys?: AccessKeyOptions[];
  defaults?: AccessLimits;
  allowAnonymous?: boolean;
  /** Path prefixes besides the gateway's that need a key: `['extensions', 'models', 'metrics']`. */
  protectedPaths?: string[];
  redisUrl?: string;
  redisTimeoutMs?: number;
  redisKeyPrefix?: string;
  onRedisDown?: 'memory' | 'refuse';
}

/** One configured key as the gateway keeps it: never the key itself, only its digest. */
export interface KeyEntry {
  readonly name: string;
  /** SHA-256 of the key (32 bytes), compared with timingSafeEqual. */
  readonly digest: Buffer;
  /** What Redis keys and logs may carry: 16 hex digits of the digest. */
  readonly id: string;
  readonly rpm: number;
  readonly tpm: number;
  /** Budgets in nano-USD (integers: no rounding drift in counters); 0: none. */
  readonly dailyBudget: number;
  readonly monthlyBudget: number;
  /** Allowed model names and patterns; undefined: every model. */
  readonly models?: readonly string[];
}

export interface ResolvedAccess {
  keys: KeyEntry[];
  /** `/v1`-style prefixes (leading slash, no trailing one). */
  protectedPaths: string[];
  allowAnonymous: boolean;
  redisUrl?: string;
  redisTimeoutMs: number;
  redisKeyPrefix: string;
  onRedisDown: 'memory' | 'refuse';
}

export const NANO = 1e9;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

function flatten(errors: ValidationError[], prefix = ''): ExtensionIssue[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : `${prefix}${prefix ? '.' : ''}${error.property}`;
    const { nestedValidation, ...constraints } = error.constraints ?? {};
    const messages = Object.keys(constraints).length ? Object.values(constraints) : nestedValidation ? [nestedValidation] : [];
    return [...new Set(messages)].map((message) => ({ field, message })).concat(flatten(error.children ?? [], field));
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A copy with only the known keys (so no `__proto__` reaches class-transformer), and an issue for each other key. */
function pick(raw: Record<string, unknown>, known: string[], prefix: string, issues: ExtensionIssue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) out[key] = raw[key];
    else issues.push({ field: `${prefix}${key}`, message: `is not a known setting.${didYouMean(key, known) || ` Known: ${known.join(', ')}.`}` });
  }
  return out;
}

/** Checks access options (from code or a keys file) and collects every problem, each naming its field. */
export function accessIssues(input: unknown): { value: AccessOptionsDto; issues: ExtensionIssue[] } {
  const issues: ExtensionIssue[] = [];
  if (!isRecord(input)) return { value: {}, issues: [{ field: '(top level)', message: 'must be a mapping with "keys" (a list) and optionally "defaults"' }] };
  const raw = pick(input, ACCESS_KEYS, '', issues);
  if (isRecord(raw.defaults)) raw.defaults = pick(raw.defaults, LIMIT_KEYS, 'defaults.', issues);
  if (Array.isArray(raw.keys) && raw.keys.length <= 100_000) raw.keys = raw.keys.map((key, i) => (isRecord(key) ? pick(key, KEY_KEYS, `keys[${i}].`, issues) : key));
  const value = plainToInstance(AccessOptionsDto, raw);
  issues.push(...flatten(validateSync(value, { forbidUnknownValues: false, validationError: { target: false, value: false } })));
  const names = new Set<string>();
  const digests = new Set<string>();
  (Array.isArray(value.keys) ? value.keys : []).forEach((key, i) => {
    if (isRecord(key) && key.key === undefined && key.sha256 === undefined) issues.push({ field: `keys[${i}].key`, message: 'is required (or sha256, the hex SHA-256 of the key)' });
    if (key?.key !== undefined && key.sha256 !== undefined) issues.push({ field: `keys[${i}]`, message: 'has both key and sha256; give one' });
    const digest = typeof key?.sha256 === 'string' ? key.sha256.toLowerCase() : typeof key?.key === 'string' ? sha256(key.key).toString('hex') : undefined;
    if (digest && digests.has(digest)) issues.push({ field: `keys[${i}]`, message: 'is the same key as an earlier entry' });
    if (digest) digests.add(digest);
    if (typeof key?.name === 'string' && names.has(key.name)) issues.push({ field: `keys[${i}].name`, message: `"${key.name}" names an earlier key too; names must be unique` });
    if (typeof key?.name === 'string') names.add(key.name);
  });
  if (Array.isArray(value.protectedPaths)) {
    value.protectedPaths.forEach((path, i) => {
      if (typeof path === 'string' && /^\/?health(\/|$)/.test(path)) issues.push({ field: `protectedPaths[${i}]`, message: 'health probes stay open (Kubernetes sends no key); remove it' });
    });
  }
  return { value, issues };
}

const normalizePath = (path: string) => `/${path.replace(/^\/+|\/+$/g, '')}`;

/** A limit: the key's own, else the default; `null` means none (0). */
function limit<K extends keyof AccessLimits>(own: AccessLimits, defaults: AccessLimits, field: K): Exclude<AccessLimits[K], null> | undefined {
  const value = own[field] === undefined ? defaults[field] : own[field];
  return (value ?? undefined) as Exclude<AccessLimits[K], null> | undefined;
}

/**
 * The access options checked and resolved: each key reduced to its digest and limits. `where` names
 * the source in errors (`OpenAiGatewayModule options`, or a file's path).
 */
export function resolveAccess(options: AccessOptions, gatewayPath: string, where = 'OpenAiGatewayModule access options', env: NodeJS.ProcessEnv = process.env): ResolvedAccess {
  const { value, issues } = accessIssues(options);
  if (issues.length) {
    const list = issues.map((issue) => `\n  - ${issue.field}: ${issue.message}`).join('');
    throw new ExtensionConfigError(`Invalid gateway access settings in ${where} (${issues.length} problem${issues.length === 1 ? '' : 's'}):${list}`, undefined, issues);
  }
  const defaults = value.defaults ?? {};
  const keys = (value.keys ?? []).map((key): KeyEntry => {
    const digest = key.sha256 ? Buffer.from(key.sha256, 'hex') : sha256(key.key!);
    const id = digest.toString('hex').slice(0, 16);
    const budget = (usd: number | undefined) => (usd === undefined ? 0 : Math.max(1, Math.round(usd * NANO)));
    const models = limit(key, defaults, 'models');
    return Object.freeze({
      name: key.name ?? `key-${id.slice(0, 8)}`,
      digest,
      id,
      rpm: limit(key, defaults, 'rpm') ?? 0,
      tpm: limit(key, defaults, 'tpm') ?? 0,
      dailyBudget: budget(limit(key, defaults, 'dailyBudgetUsd')),
      monthlyBudget: budget(limit(key, defaults, 'monthlyBudgetUsd')),
      ...(models && { models: Object.freeze([...models]) }),
    });
  });
  if (!keys.length && !value.allowAnonymous && env.NODE_ENV === 'production') {
    throw new ExtensionConfigError(
      `The gateway has no API keys and NODE_ENV is production: anyone who reaches it would spend the providers' credits. Set GATEWAY_API_KEYS or GATEWAY_KEYS_FILE (in code: access.keys), or GATEWAY_ALLOW_ANONYMOUS=true (access.allowAnonymous) to serve without keys on purpose.`,
      undefined,
      [{ field: 'keys', message: 'no keys in production' }],
    );
  }
  const paths = [gatewayPath, ...(value.protectedPaths ?? [])].map(normalizePath);
  return {
    keys,
    protectedPaths: [...new Set(paths)],
    allowAnonymous: value.allowAnonymous === true,
    redisUrl: value.redisUrl,
    redisTimeoutMs: value.redisTimeoutMs ?? 500,
    redisKeyPrefix: value.redisKeyPrefix ?? 'gleitzeit:limits',
    onRedisDown: value.onRedisDown ?? 'memory',
  };
}
