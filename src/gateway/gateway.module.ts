import { Module, type DynamicModule } from '@nestjs/common';
import { createGatewayController } from './gateway.controller.js';
import { GATEWAY_OPTIONS, resolveGatewayOptions, type GatewayOptions } from './gateway.options.js';

/**
 * An OpenAI-compatible API over the app's ModelRouter: `POST {path}/chat/completions` (JSON and
 * streamed), `GET {path}/models`, `GET {path}/models/:model` and `POST {path}/embeddings`, with errors in
 * OpenAI's format. Import it next to `ExtensionsModule.forRoot()`.
 */
@Module({})
export class OpenAiGatewayModule {
  static register(options: GatewayOptions = {}): DynamicModule {
    const resolved = resolveGatewayOptions(options);
    return {
      module: OpenAiGatewayModule,
      controllers: [createGatewayController(resolved.path)],
      providers: [{ provide: GATEWAY_OPTIONS, useValue: resolved }],
    };
  }
}
