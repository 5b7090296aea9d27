import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { SHIPPED_EXTENSIONS } from '../helpers/shipped-extensions.js';
import { timeLimitProblem } from '../utils/time-limits.js';
import { ExtensionsModule } from '../module/extensions.module.js';
import { CHAT_TIMEOUT_MS, ChatController } from './chat.controller.js';

/** GLEITZEIT_CHAT_TIMEOUT_MS, or 60 s; a value a timer cannot honour stops the boot with the reason. */
function chatTimeout(text: string | undefined): number {
  if (text === undefined || text === '') return 60_000;
  const ms = Number(text);
  const problem = timeLimitProblem(ms);
  if (problem) throw new Error(`GLEITZEIT_CHAT_TIMEOUT_MS ${problem}`);
  return ms;
}

export { SHIPPED_EXTENSIONS };

/**
 * The demo app. GLEITZEIT_EXTENSIONS picks the extensions to boot (comma-separated); the default is
 * `mock`, which needs no API key (`echo` still ships and boots when named). Add `openai` or `claude`
 * with OPENAI_API_KEY / ANTHROPIC_API_KEY.
 */
@Module({})
export class AppModule {
  static async register(env: NodeJS.ProcessEnv = process.env): Promise<DynamicModule> {
    // Loading the config module first puts .env into process.env, so it can pick the extensions too.
    const config = await ConfigModule.forRoot({ isGlobal: true });
    const extensions = (env.GLEITZEIT_EXTENSIONS ?? 'mock').split(',').map((n) => n.trim()).filter(Boolean);
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
        }),
      ],
      controllers: [ChatController],
      providers: [{ provide: CHAT_TIMEOUT_MS, useValue: chatTimeout(env.GLEITZEIT_CHAT_TIMEOUT_MS) }],
    };
  }
}
