import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ACCESS_CONTROL, AccessControl } from './access/access-control.js';
import { ProtectedPathsGuard } from './access/access.guard.js';
import { createGatewayController } from './gateway.controller.js';
import { GATEWAY_OPTIONS, resolveGatewayOptions, type GatewayOptions } from './gateway.options.js';

/**
 * An OpenAI-compatible API over the app's ModelRouter: `POST {path}/chat/completions` (JSON and
 * streamed), `GET {path}/models`, `GET {path}/models/:model` and `POST {path}/embeddings`, with errors in
 * OpenAI's format. Import it next to `ExtensionsModule.forRoot()`. With `access.keys`, every route needs
 * a key and each key's limits hold; without keys nothing of that runs.
 */
@Module({})
export class OpenAiGatewayModule {
  static register(options: GatewayOptions = {}): DynamicModule {
    const resolved = resolveGatewayOptions(options);
    const access = resolved.access && new AccessControl(resolved.access);
    const keyed = access?.enabled === true;
    const providers: Provider[] = [{ provide: GATEWAY_OPTIONS, useValue: resolved }];
    if (access) providers.push({ provide: ACCESS_CONTROL, useValue: access });
    // Routes of other modules (introspection, /metrics) under access.protectedPaths: an app-wide guard.
    if (keyed && resolved.access!.protectedPaths.length > 1) providers.push({ provide: APP_GUARD, useClass: ProtectedPathsGuard });
    return {
      module: OpenAiGatewayModule,
      controllers: [createGatewayController(resolved.path, keyed)],
      providers,
      exports: access ? [ACCESS_CONTROL] : [],
    };
  }
}
