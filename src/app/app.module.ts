import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { OpenAiPathExceptionFilter } from '../gateway/exception-filters.js';
import { OpenAiGatewayModule } from '../gateway/gateway.module.js';
import { SHIPPED_EXTENSIONS } from '../helpers/shipped-extensions.js';
import { timeLimitProblem } from '../utils/time-limits.js';
import { ExtensionsModule } from '../module/extensions.module.js';
import { accessFromEnv } from './access-env.js';
import { observabilityFromEnv, ObservabilityModule } from './observability.js';
import type { ResilienceOptions } from '../routing/resilience/resilience.options.js';

export { SHIPPED_EXTENSIONS };

/** The extensions the gateway boots unless GLEITZEIT_EXTENSIONS names others. */
export const DEFAULT_EXTENSIONS = ['mock', 'openai', 'claude'];

/** Extensions that need an API key: without one they show as "not configured" and the app serves on. */
const KEYED = ['openai', 'claude'];

/** A time limit from the environment, or its default; a value a timer cannot honour stops the boot with the reason. */
function msFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, allowZero = false): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const ms = Number(text);
  const problem = timeLimitProblem(ms, allowZero);
  if (problem) throw new Error(`${name} ${problem}`);
  return ms;
}

/** GLEITZEIT_RESILIENCE: the router's resilience options as JSON (checked with the module's other options). */
function resilienceFromEnv(env: NodeJS.ProcessEnv): ResilienceOptions | undefined {
  const text = env.GLEITZEIT_RESILIENCE;
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as ResilienceOptions;
  } catch (error) {
    throw new Error(`GLEITZEIT_RESILIENCE is not JSON (${(error as Error).message}); write it as {"retries": 1, "fallbacks": {"gpt-4o": ["claude-sonnet"]}}`);
  }
}

/**
 * The gateway app: OpenAI's API at /v1 over every shipped extension. `mock` needs no key and serves
 * out of the box; `openai` and `claude` serve once OPENAI_API_KEY / ANTHROPIC_API_KEY is set, and until
 * then show as not configured in /health and the boot tree, without failing readiness.
 */
@Module({})
export class AppModule {
  static async register(env: NodeJS.ProcessEnv = process.env): Promise<DynamicModule> {
    // Loading the config module first puts .env into process.env, so it can pick the extensions too.
    const config = await ConfigModule.forRoot({ isGlobal: true });
    const named = env.GLEITZEIT_EXTENSIONS?.split(',').map((n) => n.trim()).filter(Boolean);
    const extensions = named?.length ? named : DEFAULT_EXTENSIONS;
    const observability = observabilityFromEnv(env);
    return {
      module: AppModule,
      imports: [
        config,
        // Provider health checks call their APIs: answer probes from a 10 s cache.
        // /extensions and /models help while developing; in production they stay off (they show config, masked).
        ExtensionsModule.forRoot({
          searchPaths: [env.GLEITZEIT_EXTENSIONS_PATH ?? SHIPPED_EXTENSIONS],
          extensions,
          healthCacheMs: 10_000,
          introspectionPath: env.NODE_ENV === 'production' ? false : '',
          // On SIGTERM: readiness fails, calls in flight get this long to finish, then extensions stop.
          drainTimeoutMs: msFromEnv(env, 'GLEITZEIT_DRAIN_TIMEOUT_MS', 10_000, true),
          resilience: resilienceFromEnv(env),
          // Metrics for GET /metrics; traces to OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
          telemetry: observability.telemetry,
          extensionOptions: Object.fromEntries(KEYED.filter((name) => extensions.includes(name)).map((name) => [name, { onBootFailure: 'continue' as const }])),
        }),
        // API keys, per-key limits and budgets (GATEWAY_API_KEYS, GATEWAY_KEYS_FILE, GATEWAY_RATE_LIMIT_RPM, REDIS_URL, ...).
        OpenAiGatewayModule.register({ path: 'v1', timeoutMs: msFromEnv(env, 'GLEITZEIT_TIMEOUT_MS', 60_000), access: await accessFromEnv(env) }),
        ObservabilityModule.register(observability),
      ],
      // Broken JSON or an unknown route under /v1 fails before the gateway's controller: answer it in OpenAI's format too.
      providers: [{ provide: APP_FILTER, useFactory: (host: HttpAdapterHost) => new OpenAiPathExceptionFilter('v1', host), inject: [HttpAdapterHost] }],
    };
  }
}
