import { Controller, Get, Inject, NotFoundException, Param, type Type } from '@nestjs/common';
import { ExtensionNotFound } from '../errors/index.js';
import { ExtensionManager } from '../manager/extension-manager.js';
import { ModelRouter } from '../routing/model-router.js';

/** `GET {prefix}/extensions`, `GET {prefix}/extensions/:name` and `GET {prefix}/models`. */
export function createIntrospectionController(prefix: string): Type<unknown> {
  @Controller(prefix)
  class ExtensionsIntrospectionController {
    constructor(
      @Inject(ExtensionManager) private readonly manager: ExtensionManager,
      @Inject(ModelRouter) private readonly router: ModelRouter,
    ) {}

    @Get('extensions')
    summary() {
      return this.manager.getSummary();
    }

    @Get('extensions/:name')
    async report(@Param('name') name: string) {
      try {
        return await this.manager.getExtensionInfo(name);
      } catch (error) {
        if (error instanceof ExtensionNotFound) {
          throw new NotFoundException({ statusCode: 404, code: error.code, message: error.message });
        }
        throw error;
      }
    }

    @Get('models')
    models() {
      return this.router.getAvailableModels();
    }
  }
  return ExtensionsIntrospectionController;
}
