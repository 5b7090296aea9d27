import { BadRequestException, BadGatewayException, Body, Controller, GatewayTimeoutException, Inject, NotFoundException, Post, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { ModelNotFound, ProviderError } from '../errors/index.js';
import type { ChatRequest as ContractRequest, ChatResponse as ContractResponse } from '../provider/chat.interface.js';
import { ModelRouter } from '../routing/model-router.js';
import { requiredCapabilities } from '../routing/provider-calls.js';
import type { ChatRequest, ChatResponse } from './chat.interface.js';

/**
 * One answer shape for every extension: the provider contract's answer (`message`, `finishReason`,
 * `usage`) becomes `{ model, text, finishReason, usage, toolCalls? }`; the demo convention's
 * `{ model, text }` passes through as it is.
 */
function demoAnswer(answer: ContractResponse | (ChatResponse & { extension: string })): ChatResponse {
  if (!('message' in answer) || answer.message === null || typeof answer.message !== 'object') return answer as ChatResponse;
  const { extension, model, message, finishReason, usage } = answer;
  return { extension, model, text: message.content ?? '', finishReason, ...(message.toolCalls && { toolCalls: message.toolCalls }), ...(usage && { usage }) };
}

/** Token of the demo's time limit for one POST /chat, in ms (GLEITZEIT_CHAT_TIMEOUT_MS, default 60 s). */
export const CHAT_TIMEOUT_MS = Symbol.for('gleitzeit.demo/chat-timeout');

/**
 * POST /chat: routes a chat request to the extension that serves its model. The provider's call is
 * aborted at the time limit (504) and when the client goes away.
 */
@Controller('chat')
export class ChatController {
  constructor(
    @Inject(ModelRouter) private readonly router: ModelRouter,
    @Inject(CHAT_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  @Post()
  async chat(@Body() request: ChatRequest, @Res({ passthrough: true }) response: ServerResponse): Promise<ChatResponse> {
    if (typeof request?.model !== 'string' || !Array.isArray(request.messages)) {
      throw new BadRequestException('Send { "model": "mock", "messages": [{ "role": "user", "content": "hi" }] }');
    }
    const call = request as unknown as ContractRequest;
    try {
      // Only chat models: an embeddings model is a 404 that says which capability it lacks.
      this.router.route(call.model, { capabilities: ['text', ...requiredCapabilities(call)] });
      // router.chat sends the provider its own model name (an alias or a qualified id is resolved first).
      const left = new AbortController();
      response.once('close', () => response.writableFinished || left.abort(new Error('the client went away')));
      const limit = AbortSignal.timeout(this.timeoutMs);
      try {
        return demoAnswer(await this.router.chat(call, { signal: AbortSignal.any([limit, left.signal]) }));
      } catch (error) {
        if (limit.aborted) throw new GatewayTimeoutException({ code: 'EXT_ERR_TIMEOUT', message: `The provider did not answer within ${this.timeoutMs} ms; its call was aborted.` });
        throw error;
      }
    } catch (error) {
      if (error instanceof ModelNotFound) throw new NotFoundException({ code: error.code, message: error.message, closeMatches: error.closeMatches });
      if (error instanceof ProviderError) {
        const { code, message, extensionName: extension, status, providerCode, retryAfterMs } = error;
        throw new BadGatewayException({ code, message, extension, status, providerCode, retryAfterMs });
      }
      throw error;
    }
  }
}
