import { BadRequestException, Body, Controller, Inject, NotFoundException, Post } from '@nestjs/common';
import { ModelNotFound } from '../errors/index.js';
import { ModelRouter } from '../routing/model-router.js';
import type { ChatProvider, ChatRequest, ChatResponse } from './chat.interface.js';

/** POST /chat: routes a chat request to the extension that serves its model. */
@Controller('chat')
export class ChatController {
  constructor(@Inject(ModelRouter) private readonly router: ModelRouter) {}

  @Post()
  async chat(@Body() request: ChatRequest): Promise<ChatResponse> {
    if (typeof request?.model !== 'string' || !Array.isArray(request.messages)) {
      throw new BadRequestException('Send { "model": "echo", "messages": [{ "role": "user", "content": "hi" }] }');
    }
    try {
      // The provider gets its own model name: an alias or a qualified id is resolved first.
      const { extension, instance, upstreamModel } = this.router.route(request.model, { capabilities: ['text'] });
      return { ...(await (instance as ChatProvider).chat({ ...request, model: upstreamModel })), extension };
    } catch (error) {
      if (error instanceof ModelNotFound) throw new NotFoundException({ code: error.code, message: error.message, closeMatches: error.closeMatches });
      throw error;
    }
  }
}
