import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { SHIPPED_EXTENSIONS } from '../helpers/shipped-extensions.js';
import { ExtensionsModule } from '../module/extensions.module.js';
import { ChatController } from './chat.controller.js';

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
    };
  }
}
