import { Controller, Get, Inject, NotFoundException, Param, type Type } from '@nestjs/common';
import { ExtensionNotFound } from '../errors/index.js';
import { ExtensionManager } from '../manager/extension-manager.js';
import { ModelRouter } from '../routing/model-router.js';
import { relativePaths } from './relative-paths.js';

/**
 * `GET {prefix}/extensions`, `GET {prefix}/extensions/:name` and `GET {prefix}/models`: mounted only when
 * `introspectionPath` is set. Config is masked and paths are relative to the working directory.
 */
export function createIntrospectionController(prefix: string): Type<unknown> {
  @Controller(prefix)
  class ExtensionsIntrospectionController {
    constructor(
      @Inject(ExtensionManager) private readonly manager: ExtensionManager,
      @Inject(ModelRouter) private readonly router: ModelRouter,
    ) {}

    @Get('extensions')
    summary() {
      return relativePaths(this.manager.getSummary());
    }

    @Get('extensions/:name')
    async report(@Param('name') name: string) {
      try {
        return relativePaths(await this.manager.getExtensionInfo(name));
      } catch (error) {
        if (error instanceof ExtensionNotFound) {
          throw new NotFoundException({ statusCode: 404, code: error.code, message: relativePaths(error.message) });
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
