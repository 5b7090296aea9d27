import type { KeyEntry } from './access.options.js';

/** The rate windows: a minute from the first request (or the first tokens) counted in it. */
export const WINDOW_MS = 60_000;
const DAY_MS = 86_400_000;

/** Why a request is refused, or `ok`. */
export type Verdict = 'ok' | 'requests' | 'tokens' | 'daily_budget' | 'monthly_budget';

/** What a key may still do: the verdict, and the counts OpenAI's x-ratelimit-* headers report. */
export interface Admission {
  verdict: Verdict;
  /** Requests counted in the current window (this one included when admitted). */
  requests: number;
  requestsResetMs: number;
  /** Tokens counted in the current window. */
  tokens: number;
  tokensResetMs: number;
  /** For a refusal: how long until the limit that refused lifts. */
  retryAfterMs: number;
}

/** UTC periods: the day and month `now` falls in, and when each ends. */
export function periods(now: number): { day: number; dayEnd: number; month: number; monthEnd: number } {
  const day = Math.floor(now / DAY_MS);
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return { day, dayEnd: (day + 1) * DAY_MS, month: year * 12 + month, monthEnd: Date.UTC(year, month + 1, 1) };
}

/** One key's counters: a fixed set of numbers, made once per configured key. */
class Counters {
  requestsFrom = -Infinity;
  requests = 0;
  tokensFrom = -Infinity;
  tokens = 0;
  day = -1;
  daySpent = 0;
  month = -1;
  monthSpent = 0;

  roll(now: number): void {
    if (now - this.requestsFrom >= WINDOW_MS) this.requests = 0;
    if (now - this.tokensFrom >= WINDOW_MS) this.tokens = 0;
    if (this.daySpent || this.monthSpent) {
      const { day, month } = periods(now);
      if (day !== this.day) this.daySpent = 0;
      if (month !== this.month) this.monthSpent = 0;
    }
  }
}

const left = (from: number, now: number) => (now - from >= WINDOW_MS ? 0 : from + WINDOW_MS - now);

/**
 * Counters in this process: the default, and what each replica falls back to while Redis is down.
 * One set of counters per configured key, made up front: what clients send never adds an entry.
 */
export class MemoryLimits {
  private readonly counters = new Map<KeyEntry, Counters>();

  constructor(keys: readonly KeyEntry[]) {
    for (const key of keys) this.counters.set(key, new Counters());
  }

  /**
   * Checks the key's limits and, when it may go on, counts the request. With `enforce` false (Redis
   * decided) it only counts, so this replica knows its own share if Redis goes away.
   */
  admit(key: KeyEntry, now: number, enforce = true): Admission {
    const c = this.counters.get(key)!;
    c.roll(now);
    let verdict: Verdict = 'ok';
    let retryAfterMs = 0;
    if (enforce) {
      if (key.rpm && c.requests >= key.rpm) [verdict, retryAfterMs] = ['requests', left(c.requestsFrom, now)];
      else if (key.tpm && c.tokens >= key.tpm) [verdict, retryAfterMs] = ['tokens', left(c.tokensFrom, now)];
      else if (key.dailyBudget && c.daySpent >= key.dailyBudget) [verdict, retryAfterMs] = ['daily_budget', periods(now).dayEnd - now];
      else if (key.monthlyBudget && c.monthSpent >= key.monthlyBudget) [verdict, retryAfterMs] = ['monthly_budget', periods(now).monthEnd - now];
    }
    if (verdict === 'ok') {
      if (c.requests === 0) c.requestsFrom = now;
      c.requests++;
    }
    return { verdict, requests: c.requests, requestsResetMs: left(c.requestsFrom, now), tokens: c.tokens, tokensResetMs: left(c.tokensFrom, now), retryAfterMs };
  }

  /** Counts an answer's tokens and spend (nano-USD). */
  record(key: KeyEntry, tokens: number, spend: number, now: number): void {
    const c = this.counters.get(key)!;
    c.roll(now);
    if (tokens > 0) {
      if (c.tokens === 0) c.tokensFrom = now;
      c.tokens += tokens;
    }
    if (spend > 0) {
      const { day, month } = periods(now);
      c.day = day;
      c.month = month;
      c.daySpent += spend;
      c.monthSpent += spend;
    }
  }
}
