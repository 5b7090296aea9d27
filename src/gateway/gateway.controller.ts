import { Body, Controller, Get, Inject, Param, Post, Res, UseFilters, UsePipes, type Type } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { requiredCapabilities } from '../routing/provider-calls.js';
import { ModelRouter } from '../routing/model-router.js';
import { accountingHeaders, answered } from './accounting.js';
import { GatewayBodyPipe } from './body-pipe.js';
import { CallLimits } from './call-limits.js';
import { ChatCompletionRequestDto, EmbeddingRequestDto } from './chat-completion.dto.js';
import { OpenAiExceptionFilter } from './exception-filters.js';
import { toChatRequest, toCompletion, toEmbeddingList, toEmbeddingRequest } from './openai-mapping.js';
import { rawResponse, sendJson } from './raw-response.js';
import { sendStream } from './sse-stream.js';
import { GATEWAY_OPTIONS, type ResolvedGatewayOptions } from './gateway.options.js';

const isPattern = (name: string) => /[*?]/.test(name);

/** The model names a client can send: every routable model and alias (patterns cannot be listed). */
function modelList(router: ModelRouter) {
  const seen = new Set<string>();
  const data: { id: string; object: 'model'; created: number; owned_by: string }[] = [];
  for (const [name, model] of Object.entries(router.getAvailableModels())) {
    for (const id of [name, ...model.aliases]) {
      if (isPattern(id) || seen.has(id)) continue;
      seen.add(id);
      data.push({ id, object: 'model', created: 0, owned_by: model.extension });
    }
  }
  return { object: 'list', data };
}

/**
 * OpenAI's API, served by the ModelRouter: chat completions (JSON and streamed), models, embeddings.
 * Every call has a time limit (504 past it) and is aborted when its client leaves.
 */
export function createGatewayController(path: string): Type<unknown> {
  @Controller(path)
  @UseFilters(OpenAiExceptionFilter)
  @UsePipes(new GatewayBodyPipe())
  class OpenAiGatewayController {
    constructor(
      @Inject(ModelRouter) private readonly router: ModelRouter,
      @Inject(GATEWAY_OPTIONS) private readonly options: ResolvedGatewayOptions,
    ) {}

    @Post('chat/completions')
    async chatCompletions(@Body() body: ChatCompletionRequestDto, @Res() res: unknown): Promise<void> {
      const response = rawResponse(res);
      const request = toChatRequest(body);
      const routed = this.router.route(request.model, { capabilities: ['text', ...requiredCapabilities(request)] });
      const limits = this.limitsFor(routed.extension, response);
      try {
        if (body.stream) {
          const includeUsage = body.stream_options?.include_usage === true;
          await sendStream(this.router.chatStream(request, { signal: limits.signal }), response, limits, { extension: routed.extension, model: routed.upstreamModel, includeUsage });
        } else {
          const answer = await limits.race(this.router.chat(request, { signal: limits.signal }));
          sendJson(response, 200, toCompletion(answer), accountingHeaders(answer.attempts, answered(answer.attempts)));
        }
      } catch (error) {
        // A client that left is normal: its call was aborted, and there is no one to answer.
        if (!limits.clientGone) throw error;
      } finally {
        limits.end();
      }
    }

    @Post('embeddings')
    async embeddings(@Body() body: EmbeddingRequestDto, @Res() res: unknown): Promise<void> {
      const response = rawResponse(res);
      const request = toEmbeddingRequest(body);
      const routed = this.router.route(request.model, { capabilities: ['embeddings'] });
      const limits = this.limitsFor(routed.extension, response);
      try {
        sendJson(response, 200, toEmbeddingList(await limits.race(this.router.embed(request, { signal: limits.signal })), body.encoding_format));
      } catch (error) {
        if (!limits.clientGone) throw error;
      } finally {
        limits.end();
      }
    }

    @Get('models')
    models() {
      return modelList(this.router);
    }

    @Get('models/:model')
    model(@Param('model') id: string) {
      const routed = this.router.route(id);
      return { id, object: 'model', created: 0, owned_by: routed.extension };
    }

    /** The call's limits; a client that closes its connection before the answer is complete aborts it. */
    private limitsFor(extension: string, response: ServerResponse): CallLimits {
      const limits = new CallLimits(this.options.timeoutMs, extension);
      response.once('close', () => response.writableFinished || limits.clientLeft());
      return limits;
    }
  }
  return OpenAiGatewayController;
}
