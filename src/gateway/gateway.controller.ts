import { Controller, Get, Inject, Optional, Param, Post, Req, Res, UseFilters, UseGuards, type Type } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { ChatRequest } from '../provider/chat.interface.js';
import { requiredCapabilities } from '../routing/provider-calls.js';
import { ModelRouter } from '../routing/model-router.js';
import type { RouteResult } from '../routing/routing.interface.js';
import { globMatch } from '../utils/glob.js';
import { ACCESS_CONTROL, ACCESS_KEY, AccessControl, tokensOf, type WithKey } from './access/access-control.js';
import type { KeyEntry } from './access/access.options.js';
import { GatewayKeyGuard } from './access/access.guard.js';
import { accountingHeaders, answered } from './accounting.js';
import { GatewayBody } from './body-pipe.js';
import { CallLimits } from './call-limits.js';
import { ChatCompletionRequestDto, EmbeddingRequestDto } from './chat-completion.dto.js';
import { OpenAiExceptionFilter } from './exception-filters.js';
import { toChatRequest, toCompletion, toEmbeddingList, toEmbeddingRequest } from './openai-mapping.js';
import { rawResponse, sendJson } from './raw-response.js';
import { sendStream } from './sse-stream.js';
import { GATEWAY_OPTIONS, type ResolvedGatewayOptions } from './gateway.options.js';

const isPattern = (name: string) => /[*?]/.test(name);

/** The model names a client can send: every routable model and alias (patterns cannot be listed); with a key limited to some models, those. */
function modelList(router: ModelRouter, allowed?: readonly string[]) {
  const seen = new Set<string>();
  const data: { id: string; object: 'model'; created: number; owned_by: string }[] = [];
  for (const [name, model] of Object.entries(router.getAvailableModels())) {
    if (allowed && !allowed.some((p) => globMatch(p, name)) && !model.aliases.some((alias) => allowed.some((p) => globMatch(p, alias)))) continue;
    for (const id of [name, ...model.aliases]) {
      if (isPattern(id) || seen.has(id)) continue;
      seen.add(id);
      data.push({ id, object: 'model', created: 0, owned_by: model.extension });
    }
  }
  return { object: 'list', data };
}

/** About 4 characters a token: a prompt's text, for a call that ended without usage. */
function promptChars(request: ChatRequest): number {
  let chars = 0;
  for (const message of request.messages) {
    const content = message.content;
    if (typeof content === 'string') chars += content.length;
    else if (Array.isArray(content)) for (const part of content) chars += part.type === 'text' ? part.text.length : 0;
  }
  return chars;
}

/**
 * OpenAI's API, served by the ModelRouter: chat completions (JSON and streamed), models, embeddings.
 * Every call has a time limit (504 past it) and is aborted when its client leaves. With `keyed`, every
 * route needs an API key (GatewayKeyGuard), and model calls count against the key's limits.
 */
export function createGatewayController(path: string, keyed = false): Type<unknown> {
  @Controller(path)
  @UseFilters(OpenAiExceptionFilter)
  class OpenAiGatewayController {
    /** Only when keys are configured; otherwise no check costs anything. */
    private readonly access?: AccessControl;

    constructor(
      @Inject(ModelRouter) private readonly router: ModelRouter,
      @Inject(GATEWAY_OPTIONS) private readonly options: ResolvedGatewayOptions,
      @Optional() @Inject(ACCESS_CONTROL) access?: AccessControl,
    ) {
      this.access = keyed ? access : undefined;
    }

    @Post('chat/completions')
    async chatCompletions(@GatewayBody(ChatCompletionRequestDto) body: ChatCompletionRequestDto, @Req() req: unknown, @Res() res: unknown): Promise<void> {
      const response = rawResponse(res);
      const request = toChatRequest(body);
      const key = this.access && (req as WithKey)[ACCESS_KEY];
      if (key) this.access!.checkModels(key, body.fallbacks?.length ? [body.model, ...body.fallbacks] : [body.model], this.ownName);
      const routed = this.routed('chat', request.model, ['text', ...requiredCapabilities(request)]);
      if (key) await this.access!.admit(key, response);
      const limits = this.limitsFor(routed.extension, response);
      try {
        if (body.stream) {
          const includeUsage = body.stream_options?.include_usage === true;
          const stream = this.router.chatStream(request, { signal: limits.scope });
          const sent = await sendStream(stream, response, limits, { extension: routed.extension, model: routed.upstreamModel, includeUsage });
          if (key) this.record(key, tokensOf(sent.usage, () => Math.ceil((promptChars(request) + sent.chars) / 4)), routed, answered(stream.attempts));
        } else {
          // No race here: the router races each attempt against this signal (a provider that ignores it still ends at the limit).
          const answer = await this.router.chat(request, { signal: limits.scope });
          const answering = answered(answer.attempts);
          sendJson(response, 200, toCompletion(answer), accountingHeaders(answer.attempts, answering));
          if (key) this.record(key, tokensOf(answer.usage, () => Math.ceil((promptChars(request) + (answer.message.content?.length ?? 0)) / 4)), routed, answering);
        }
      } catch (error) {
        // A client that left is normal: its call was aborted, and there is no one to answer.
        if (!limits.clientGone) throw error;
      } finally {
        limits.end();
      }
    }

    @Post('embeddings')
    async embeddings(@GatewayBody(EmbeddingRequestDto) body: EmbeddingRequestDto, @Req() req: unknown, @Res() res: unknown): Promise<void> {
      const response = rawResponse(res);
      const request = toEmbeddingRequest(body);
      const key = this.access && (req as WithKey)[ACCESS_KEY];
      if (key) this.access!.checkModels(key, [body.model], this.ownName);
      const routed = this.routed('embeddings', request.model, ['embeddings']);
      if (key) await this.access!.admit(key, response);
      const limits = this.limitsFor(routed.extension, response);
      try {
        const answer = await limits.race(this.router.embed(request, { signal: limits.scope }));
        sendJson(response, 200, toEmbeddingList(answer, body.encoding_format));
        if (key) this.record(key, tokensOf(answer.usage, () => Math.ceil([request.input].flat().reduce((n, s) => n + s.length, 0) / 4)), routed, undefined);
      } catch (error) {
        if (!limits.clientGone) throw error;
      } finally {
        limits.end();
      }
    }

    /** The route of a call's model; a name that does not route is counted in the metrics as the router's own calls are. */
    private routed(operation: 'chat' | 'embeddings', model: string, capabilities: string[]) {
      try {
        return this.router.route(model, { capabilities });
      } catch (error) {
        this.router.telemetry.call(operation, model, false).failed(error);
        throw error;
      }
    }

    @Get('models')
    models(@Req() req: unknown) {
      const key = this.access && (req as WithKey)[ACCESS_KEY];
      return modelList(this.router, key?.models);
    }

    @Get('models/:model')
    model(@Param('model') id: string, @Req() req: unknown) {
      const key = this.access && (req as WithKey)[ACCESS_KEY];
      if (key) this.access!.checkModels(key, [id], this.ownName);
      const routed = this.router.route(id);
      return { id, object: 'model', created: 0, owned_by: routed.extension };
    }

    /** A model name as the model's own (an alias or `extension:model` resolved), or undefined when nothing serves it. */
    private readonly ownName = (name: string): string | undefined => {
      try {
        return this.router.route(name).model.name;
      } catch {
        return undefined;
      }
    };

    /** Counts an answer against its key: tokens, and spend at the answering model's costPerToken. */
    private record(key: KeyEntry, tokens: number, routed: RouteResult, answering: { extension: string; model: string } | undefined): void {
      let cost = routed.model.costPerToken;
      if (answering && (answering.extension !== routed.extension || answering.model !== routed.upstreamModel)) {
        try {
          cost = this.router.route(`${answering.extension}:${answering.model}`).model.costPerToken;
        } catch {
          // The answering extension left routing since: price it as the model asked for.
        }
      }
      this.access!.record(key, tokens, cost);
    }

    /** The call's limits; a client that closes its connection before the answer is complete aborts it. */
    private limitsFor(extension: string, response: ServerResponse): CallLimits {
      const limits = new CallLimits(this.options.timeoutMs, extension);
      response.once('close', () => response.writableFinished || limits.clientLeft());
      return limits;
    }
  }
  if (keyed) UseGuards(GatewayKeyGuard)(OpenAiGatewayController);
  return OpenAiGatewayController;
}
