import type { KeyEntry } from './access.options.js';
import { periods, WINDOW_MS, type Admission, type Verdict } from './memory-limits.js';

/*
 * The same counters in Redis, shared by every replica. Each check and each count is one Lua script,
 * so it is atomic: concurrent requests on any replica never lose an update. A key's counters share
 * one hash tag ({id}), so the scripts also run on Redis Cluster. Keys hold the key's id (16 hex
 * digits of its SHA-256), never the key.
 */

/** KEYS: requests, tokens, day spend, month spend. ARGV: rpm, tpm, day cap, month cap, window ms. */
const ADMIT = `
local rpm, tpm, dcap, mcap, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local reqs = tonumber(redis.call('GET', KEYS[1]) or '0')
local reqTtl = redis.call('PTTL', KEYS[1])
local toks = tonumber(redis.call('GET', KEYS[2]) or '0')
local tokTtl = redis.call('PTTL', KEYS[2])
local verdict = 0
if rpm > 0 and reqs >= rpm then verdict = 1
elseif tpm > 0 and toks >= tpm then verdict = 2
elseif dcap > 0 and tonumber(redis.call('GET', KEYS[3]) or '0') >= dcap then verdict = 3
elseif mcap > 0 and tonumber(redis.call('GET', KEYS[4]) or '0') >= mcap then verdict = 4
elseif rpm > 0 then
  reqs = redis.call('INCR', KEYS[1])
  if reqs == 1 or reqTtl < 0 then redis.call('PEXPIRE', KEYS[1], window); reqTtl = window end
end
return {verdict, reqs, reqTtl, toks, tokTtl}`;

/** KEYS as ADMIT. ARGV: tokens (0: not counted), spend for the day (0: not counted), for the month, window ms, day end, month end. */
const RECORD = `
local tokens, day, month = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if tokens > 0 then
  redis.call('INCRBY', KEYS[2], tokens)
  if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
end
if day > 0 then redis.call('INCRBY', KEYS[3], day); redis.call('PEXPIREAT', KEYS[3], ARGV[5]) end
if month > 0 then redis.call('INCRBY', KEYS[4], month); redis.call('PEXPIREAT', KEYS[4], ARGV[6]) end
return 1`;

const VERDICTS: Verdict[] = ['ok', 'requests', 'tokens', 'daily_budget', 'monthly_budget'];
/** Spend counters live an hour past their period, so replicas with clocks a little apart agree. */
const MARGIN_MS = 3_600_000;

/** The part of an ioredis client this uses (ioredis stays an optional peer dependency; no type of it leaks out). */
export interface RedisLike {
  status: string;
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
  ping(): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
}

interface Scripts {
  gleitzeitAdmit(...args: (string | number)[]): Promise<number[]>;
  gleitzeitRecord(...args: (string | number)[]): Promise<number>;
}

/** A key's Redis key names; the day and month ones change with the period. */
class KeyNames {
  readonly requests: string;
  readonly tokens: string;
  private period = -1;
  day = '';
  month = '';

  constructor(private readonly base: string) {
    this.requests = `${base}:rq`;
    this.tokens = `${base}:tk`;
  }

  at(day: number, month: number): this {
    if (day !== this.period) {
      this.period = day;
      this.day = `${this.base}:d:${day}`;
      this.month = `${this.base}:m:${month}`;
    }
    return this;
  }
}

export class RedisLimits {
  private readonly names = new Map<KeyEntry, KeyNames>();
  private readonly scripts: Scripts;
  private period = { day: -1, dayEnd: 0, month: 0, monthEnd: 0 };

  constructor(
    readonly client: RedisLike,
    keys: readonly KeyEntry[],
    prefix: string,
  ) {
    for (const key of keys) this.names.set(key, new KeyNames(`${prefix}:{${key.id}}`));
    client.defineCommand('gleitzeitAdmit', { numberOfKeys: 4, lua: ADMIT });
    client.defineCommand('gleitzeitRecord', { numberOfKeys: 4, lua: RECORD });
    this.scripts = client as unknown as Scripts;
  }

  /** The current UTC day and month, worked out again only when the day has passed. */
  private periods(now: number) {
    if (now >= this.period.dayEnd) this.period = periods(now);
    return this.period;
  }

  private keysOf(key: KeyEntry, now: number): KeyNames {
    const { day, month } = this.periods(now);
    return this.names.get(key)!.at(day, month);
  }

  async admit(key: KeyEntry, now: number): Promise<Admission> {
    const n = this.keysOf(key, now);
    const [code, requests, requestsTtl, tokens, tokensTtl] = await this.scripts.gleitzeitAdmit(n.requests, n.tokens, n.day, n.month, key.rpm, key.tpm, key.dailyBudget, key.monthlyBudget, WINDOW_MS);
    const verdict = VERDICTS[code] ?? 'ok';
    const requestsResetMs = Math.max(0, requestsTtl);
    const tokensResetMs = Math.max(0, tokensTtl);
    const { dayEnd, monthEnd } = this.period;
    const retryAfterMs = verdict === 'requests' ? requestsResetMs : verdict === 'tokens' ? tokensResetMs : verdict === 'daily_budget' ? dayEnd - now : verdict === 'monthly_budget' ? monthEnd - now : 0;
    return { verdict, requests, requestsResetMs, tokens, tokensResetMs, retryAfterMs };
  }

  async record(key: KeyEntry, tokens: number, spend: number, now: number): Promise<void> {
    const t = key.tpm ? tokens : 0;
    const day = key.dailyBudget ? spend : 0;
    const month = key.monthlyBudget ? spend : 0;
    if (!t && !day && !month) return;
    const n = this.keysOf(key, now);
    const { dayEnd, monthEnd } = this.period;
    await this.scripts.gleitzeitRecord(n.requests, n.tokens, n.day, n.month, t, day, month, WINDOW_MS, dayEnd + MARGIN_MS, monthEnd + MARGIN_MS);
  }
}
