import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Usage } from '../../provider/chat.interface.js';
import { globMatch } from '../../utils/glob.js';
import { NANO, type KeyEntry, type ResolvedAccess } from './access.options.js';
import { KeyRing } from './key-ring.js';
import { LimitCounters } from './limit-counters.js';
import { limitExceeded, modelNotAllowed, setRateLimitHeaders, unauthorized } from './limit-answers.js';

export const ACCESS_CONTROL = Symbol.for('gleitzeit.gateway/access-control');

/** Where the guard leaves the caller's key on the request. */
export const ACCESS_KEY = Symbol.for('gleitzeit.gateway/access-key');

/** A request the guard let through carries its key here. */
export type WithKey = { [ACCESS_KEY]?: KeyEntry };

const logger = new Logger('GatewayAccess');

/**
 * API keys and their limits for the gateway: who may call (the guard), which models (the controller
 * asks before routing), how often and how much (admit before the call, record when the answer ends).
 * With no keys configured the gateway registers none of this: no guard runs.
 */
export class AccessControl implements OnModuleInit, OnApplicationShutdown {
  readonly ring: KeyRing;
  readonly counters: LimitCounters;
  /** Lower-case prefixes (`/v1`); a path is under one when it equals it or goes on with `/` or `?`. */
  private readonly prefixes: string[];

  constructor(readonly options: ResolvedAccess) {
    this.ring = new KeyRing(options.keys);
    this.counters = new LimitCounters(options.keys, options);
    this.prefixes = options.protectedPaths.map((p) => p.toLowerCase());
  }

  /** False with no keys: the gateway is open. */
  get enabled(): boolean {
    return this.ring.size > 0;
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) {
      logger.warn(
        this.options.allowAnonymous
          ? 'No API keys configured and GATEWAY_ALLOW_ANONYMOUS=true: the gateway serves anyone who reaches it, without limits.'
          : 'No API keys configured: the gateway serves anyone who reaches it, without limits. Fine on your machine; set GATEWAY_API_KEYS (or GATEWAY_KEYS_FILE) before others can reach it. With NODE_ENV=production it refuses to start without keys.',
      );
      return;
    }
    const where = this.options.redisUrl ? 'in Redis, shared by every replica' : 'in memory, per replica';
    logger.log(`${this.ring.size} API key${this.ring.size === 1 ? '' : 's'} (${this.options.keys.map((k) => k.name).slice(0, 20).join(', ')}${this.ring.size > 20 ? ', ...' : ''}); limits counted ${where}; keys needed under ${this.options.protectedPaths.join(', ')}.`);
    await this.counters.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.counters.stop();
  }

  /** Whether a request URL (path and query) is under a prefix that needs a key. Express routes ignore case, so this does too. */
  protects(url: string): boolean {
    const path = url.toLowerCase();
    for (const prefix of this.prefixes) {
      if (!path.startsWith(prefix)) continue;
      const next = path.charCodeAt(prefix.length);
      // end, '/', '?'
      if (Number.isNaN(next) || next === 47 || next === 63) return true;
    }
    return false;
  }

  /** The key the request carries; a 401 without a valid one. */
  authenticate(authorization: unknown, response: ServerResponse): KeyEntry {
    const key = this.ring.identify(authorization);
    if (!key) throw unauthorized(response, typeof authorization === 'string' && authorization.length > 0);
    return key;
  }

  /**
   * A 403 unless the key may use each model the request names (`model`, then its `fallbacks`). A name
   * passes when a pattern of the key matches it or the model it resolves to (`resolve`: an alias or
   * `extension:model` id to the model's own name), so no alias reaches a model the key may not use.
   */
  checkModels(key: KeyEntry, names: readonly string[], resolve: (name: string) => string | undefined): void {
    const patterns = key.models;
    if (!patterns) return;
    names.forEach((name, index) => {
      if (patterns.some((p) => globMatch(p, name))) return;
      const own = resolve(name);
      if (own !== undefined && patterns.some((p) => globMatch(p, own))) return;
      throw modelNotAllowed(key, name, index === 0 ? 'model' : `fallbacks[${index - 1}]`);
    });
  }

  /** Counts the request against the key's limits and sets OpenAI's x-ratelimit-* headers; a 429 past a limit. */
  async admit(key: KeyEntry, response: ServerResponse): Promise<void> {
    const admission = await this.counters.admit(key, Date.now());
    setRateLimitHeaders(response, key, admission);
    if (admission.verdict !== 'ok') throw limitExceeded(response, key, admission);
  }

  /** Counts an answer's tokens and its cost (tokens x the answering model's costPerToken, USD). */
  record(key: KeyEntry, tokens: number, costPerToken: number | undefined): void {
    if (!key.tpm && !key.dailyBudget && !key.monthlyBudget) return;
    const spend = costPerToken && tokens > 0 ? Math.round(tokens * costPerToken * NANO) : 0;
    this.counters.record(key, Math.max(0, Math.round(tokens)), spend, Date.now());
  }
}

/** Tokens of an answer: the usage reported, else (a stream cut short, a client that left) about 4 characters a token of what was sent and received. */
export function tokensOf(usage: Pick<Usage, 'totalTokens'> | undefined, estimate: () => number): number {
  const total = usage?.totalTokens;
  return typeof total === 'number' && Number.isFinite(total) && total >= 0 ? total : estimate();
}
