import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParamsBase, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ChatChunk, ChatMessage, ChatRequest, ContentPart, FinishReason, ProviderChatResponse, ToolCall, Usage } from '../../src/extension.js';

/**
 * Our camelCase request to OpenAI's Chat Completions body. `maxTokens` goes out as
 * `max_completion_tokens`: OpenAI's current name, the only one o-series models take; `max_tokens` is
 * deprecated there. Most OpenAI-compatible servers (Ollama, vLLM) accept it too.
 */
export function toWire(request: ChatRequest): Omit<ChatCompletionCreateParamsBase, 'stream'> {
  const { model, messages, tools, toolChoice, responseFormat, temperature, topP, maxTokens, stop, seed, user } = request;
  return {
    model,
    messages: messages.map(toWireMessage),
    ...(tools?.length && { tools: tools.map((t) => ({ type: 'function' as const, function: t.function })) }),
    ...(toolChoice !== undefined && { tool_choice: toolChoice }),
    ...(responseFormat && { response_format: toWireFormat(responseFormat) }),
    ...(temperature !== undefined && { temperature }),
    ...(topP !== undefined && { top_p: topP }),
    ...(maxTokens !== undefined && { max_completion_tokens: maxTokens }),
    ...(stop !== undefined && { stop }),
    ...(seed !== undefined && { seed }),
    ...(user !== undefined && { user }),
  };
}

function toWireFormat(format: NonNullable<ChatRequest['responseFormat']>): ChatCompletionCreateParamsBase['response_format'] {
  if (format.type !== 'json_schema') return { type: format.type };
  return { type: 'json_schema', json_schema: format.jsonSchema };
}

function toWirePart(part: ContentPart) {
  if (part.type === 'text') return { type: 'text' as const, text: part.text };
  return { type: 'image_url' as const, image_url: part.imageUrl };
}

function toWireMessage(message: ChatMessage): ChatCompletionMessageParam {
  const { role, content, name, toolCalls, toolCallId } = message;
  const parts = Array.isArray(content) ? content.map(toWirePart) : content;
  const named = name !== undefined ? { name } : {};
  switch (role) {
    case 'tool':
      return { role, tool_call_id: toolCallId ?? '', content: Array.isArray(content) ? content.filter((p) => p.type === 'text') : (content ?? '') };
    case 'assistant':
      return {
        role,
        content: Array.isArray(content) ? content.filter((p) => p.type === 'text') : content,
        ...named,
        ...(toolCalls?.length && { tool_calls: toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: c.function })) }),
      };
    case 'user':
      return { role, content: parts ?? '', ...named } as ChatCompletionMessageParam;
    default:
      return { role, content: Array.isArray(content) ? content.filter((p) => p.type === 'text') : (content ?? ''), ...named };
  }
}

const FINISH: Record<string, FinishReason> = { stop: 'stop', length: 'length', tool_calls: 'tool_calls', content_filter: 'content_filter', function_call: 'tool_calls' };

/** Unknown reasons (a compatible server's own) read as `stop`. */
export const finishReason = (reason: string | null | undefined): FinishReason => FINISH[reason ?? 'stop'] ?? 'stop';

export function toUsage(usage: ChatCompletion['usage'] | null | undefined): Usage | undefined {
  if (!usage) return undefined;
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens };
}

export function fromWire(completion: ChatCompletion): ProviderChatResponse {
  const choice = completion.choices?.[0];
  const calls = (choice?.message.tool_calls ?? []).filter((c) => c.type === 'function');
  const toolCalls: ToolCall[] = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments } }));
  const usage = toUsage(completion.usage);
  return {
    id: completion.id,
    model: completion.model,
    message: { role: 'assistant', content: choice?.message.content ?? null, ...(toolCalls.length && { toolCalls }) },
    finishReason: finishReason(choice?.finish_reason),
    ...(usage && { usage }),
  };
}

/** One wire chunk to ours; the usage chunk (no choices) carries only `usage`. */
export function fromWireChunk(chunk: ChatCompletionChunk): ChatChunk {
  const choice = chunk.choices?.[0];
  const delta: ChatChunk['delta'] = {};
  if (choice?.delta.role === 'assistant') delta.role = 'assistant';
  if (typeof choice?.delta.content === 'string') delta.content = choice.delta.content;
  if (choice?.delta.tool_calls?.length) {
    delta.toolCalls = choice.delta.tool_calls.map((c) => ({
      index: c.index,
      ...(c.id && { id: c.id }),
      ...(c.type === 'function' && { type: 'function' as const }),
      ...(c.function && { function: { ...(c.function.name !== undefined && { name: c.function.name }), ...(c.function.arguments !== undefined && { arguments: c.function.arguments }) } }),
    }));
  }
  const usage = toUsage(chunk.usage);
  return {
    id: chunk.id,
    model: chunk.model,
    delta,
    ...(choice?.finish_reason && { finishReason: finishReason(choice.finish_reason) }),
    ...(usage && { usage }),
  };
}
