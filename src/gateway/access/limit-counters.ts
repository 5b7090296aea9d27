import { Logger, ServiceUnavailableException } from '@nestjs/common';
import type { KeyEntry, ResolvedAccess } from './access.options.js';
import { MemoryLimits, type Admission } from './memory-limits.js';
import { RedisLimits, type RedisLike } from './redis-limits.js';

const logger = new Logger('GatewayAccess');

/** How often a replica asks a Redis that stopped answering whether it is back. */
const PROBE_MS = 1000;

/** `host:port` of a Redis URL: what logs may show (the URL may hold a password). */
export function redisHost(url: string): string {
  try {
    const { hostname, port } = new URL(url);
    return `${hostname}:${port || 6379}`;
  } catch {
    return 'Redis';
  }
}

/** ioredis, imported only when REDIS_URL is set: it is an optional peer dependency. */
async function connect(url: string, timeoutMs: number): Promise<RedisLike> {
  let module: { Redis: new (url: string, options: object) => RedisLike };
  try {
    module = (await import('ioredis')) as unknown as typeof module;
  } catch {
    throw new Error('REDIS_URL (access.redisUrl) is set, but the ioredis package is not installed: run npm install ioredis@^6, or unset REDIS_URL to count limits in memory.');
  }
  return new module.Redis(url, {
    // Every call has a limit, and none waits for a connection: a hung or absent Redis costs a request
    // at most `timeoutMs`, and only until this replica notices and counts alone.
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(1000, timeoutMs * 4),
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
    connectionName: 'gleitzeit-gateway',
  });
}

/**
 * Where the counters live: in memory, or in Redis when `redisUrl` is set. While Redis does not answer
 * (down, unreachable, or slower than `redisTimeoutMs`), each replica counts alone in memory
 * (`onRedisDown: 'memory'`, the default: every replica enforces each limit in full) or refuses with
 * 503 (`'refuse'`). Either way this is logged once, and once more when Redis answers again; until then
 * a probe asks it every second. The memory counters also count while Redis decides, so a replica that
 * falls back knows what it admitted itself in the current window.
 */
export class LimitCounters {
  readonly memory: MemoryLimits;
  private redis?: RedisLimits;
  private up = false;
  private probe?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly keys: readonly KeyEntry[],
    private readonly options: Pick<ResolvedAccess, 'redisUrl' | 'redisTimeoutMs' | 'redisKeyPrefix' | 'onRedisDown'>,
  ) {
    this.memory = new MemoryLimits(keys);
  }

  /** True while Redis answers: limits hold across replicas. */
  get shared(): boolean {
    return this.up;
  }

  /** Connects to Redis, if configured; waits for it at most its connect time, then serves either way. */
  async start(): Promise<void> {
    const { redisUrl, redisTimeoutMs } = this.options;
    if (!redisUrl || !this.keys.length) return;
    const client = await connect(redisUrl, redisTimeoutMs);
    this.redis = new RedisLimits(client, this.keys, this.options.redisKeyPrefix);
    client.on('error', (error: Error) => this.down(error.message));
    client.on('close', () => this.down('the connection closed'));
    client.on('ready', () => this.back());
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.removeListener('ready', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1000, redisTimeoutMs * 4));
      if (client.status === 'ready') done();
      else client.once('ready', done);
    });
    if (!this.up) this.down('it did not answer at boot');
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.probe);
    const client = this.redis?.client;
    if (!client) return;
    await Promise.race([client.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, this.options.redisTimeoutMs).unref())]);
    client.disconnect();
  }

  /** Checks the key's limits and counts the request; a Redis that fails here is noticed, and memory decides. */
  admit(key: KeyEntry, now: number): Admission | Promise<Admission> {
    if (!this.redis) return this.memory.admit(key, now);
    if (!this.up) return this.fallback(key, now);
    return this.redis.admit(key, now).then(
      (admission) => {
        if (admission.verdict === 'ok') this.memory.admit(key, now, false);
        return admission;
      },
      (error: Error) => {
        this.down(error.message);
        return this.fallback(key, now);
      },
    );
  }

  /** Counts an answer's tokens and spend; never throws, never delays the answer. */
  record(key: KeyEntry, tokens: number, spend: number, now: number): void {
    this.memory.record(key, tokens, spend, now);
    if (this.redis && this.up) this.redis.record(key, tokens, spend, now).catch((error: Error) => this.down(error.message));
  }

  private fallback(key: KeyEntry, now: number): Admission {
    if (this.options.onRedisDown === 'refuse') {
      throw new ServiceUnavailableException({
        error: { message: 'Rate limits cannot be checked: Redis does not answer. Retry shortly.', type: 'server_error', param: null, code: 'limits_unavailable' },
      });
    }
    return this.memory.admit(key, now);
  }

  private down(reason: string): void {
    if (!this.up && this.probe) return;
    this.up = false;
    if (this.closed) return;
    const policy = this.options.onRedisDown === 'refuse' ? 'requests that need a key are refused (503)' : 'each replica counts limits on its own';
    logger.warn(`Redis at ${redisHost(this.options.redisUrl!)} does not answer (${reason.slice(0, 200)}): ${policy} until it does; checking every ${PROBE_MS / 1000} s.`);
    clearInterval(this.probe);
    this.probe = setInterval(() => {
      const client = this.redis!.client;
      if (client.status !== 'ready') return;
      client.ping().then(
        () => this.back(),
        () => undefined,
      );
    }, PROBE_MS).unref();
  }

  private back(): void {
    if (this.up || this.closed) return;
    const wasDown = this.probe !== undefined;
    clearInterval(this.probe);
    this.probe = undefined;
    this.up = true;
    if (wasDown) logger.log(`Redis at ${redisHost(this.options.redisUrl!)} answers again: limits are shared across replicas again.`);
  }
}
