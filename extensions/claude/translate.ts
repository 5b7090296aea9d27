import type Anthropic from '@anthropic-ai/sdk';
import type { ChatMessage, ChatRequest, ContentPart, FinishReason, ProviderChatResponse, ToolCall, Usage } from '../../src/extension.js';
import { ProviderError } from '../../src/extension.js';

/*
 * OpenAI-shaped requests and answers (the provider contract) to and from Anthropic's Messages API.
 */

type Params = Anthropic.MessageCreateParamsNonStreaming;
type Block = Anthropic.ContentBlockParam;
type MediaType = Anthropic.Base64ImageSource['media_type'];

const MEDIA_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

const refused = (message: string) => new ProviderError(`Anthropic request refused before sending: ${message}`, 'claude', { status: 400, providerCode: 'invalid_request_error' });

/** A text or image_url part as an Anthropic block: data: URLs become base64 sources, other URLs url sources. */
function partToBlock(part: ContentPart): Block {
  if (part?.type === 'text') return { type: 'text', text: part.text };
  if (part?.type === 'image_url') {
    const url = part.imageUrl?.url ?? '';
    const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    if (data) {
      if (!MEDIA_TYPES.includes(data[1])) throw refused(`image media type "${data[1]}" is not one of ${MEDIA_TYPES.join(', ')}.`);
      return { type: 'image', source: { type: 'base64', media_type: data[1] as MediaType, data: data[2] } };
    }
    if (url.startsWith('data:')) throw refused('an image data: URL must be base64 encoded (data:image/png;base64,...).');
    return { type: 'image', source: { type: 'url', url } };
  }
  throw refused(`unknown content part type "${(part as { type?: unknown })?.type}".`);
}

function contentBlocks(content: ChatMessage['content']): Block[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return content.map(partToBlock);
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  return (content ?? []).flatMap((part) => (part?.type === 'text' ? [part.text] : [])).join('\n');
}

function parseArguments(call: ToolCall): Record<string, unknown> {
  try {
    const input = JSON.parse(call.function.arguments || '{}');
    return input !== null && typeof input === 'object' && !Array.isArray(input) ? input : { value: input };
  } catch {
    throw refused(`the arguments of tool call "${call.id}" are not JSON.`);
  }
}

/** Messages: system/developer → `system`; tool results → user tool_result blocks; consecutive same-role turns merged. */
function translateMessages(messages: ChatMessage[]): { system?: string; messages: Anthropic.MessageParam[] } {
  const system: string[] = [];
  const out: Anthropic.MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    const last = out.at(-1);
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message?.role) {
      case 'system':
      case 'developer':
        system.push(textOf(message.content));
        break;
      case 'user':
        push('user', contentBlocks(message.content));
        break;
      case 'assistant': {
        const calls = (message.toolCalls ?? []).map((call): Block => ({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call) }));
        push('assistant', [...contentBlocks(message.content), ...calls]);
        break;
      }
      case 'tool': {
        if (!message.toolCallId) throw refused('a tool message needs toolCallId, the id of the call it answers.');
        const content = typeof message.content === 'string' ? message.content : (contentBlocks(message.content) as Anthropic.ToolResultBlockParam['content']);
        push('user', [{ type: 'tool_result', tool_use_id: message.toolCallId, content }]);
        break;
      }
      default:
        throw refused(`unknown message role "${(message as { role?: unknown })?.role}".`);
    }
  }
  // A single text block reads better upstream as a plain string, the way people write it.
  for (const m of out) if (Array.isArray(m.content) && m.content.length === 1 && m.content[0].type === 'text') m.content = m.content[0].text;
  return { ...(system.length && { system: system.join('\n\n') }), messages: out };
}

function toolChoice(choice: ChatRequest['toolChoice']): Anthropic.ToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  return { type: 'tool', name: choice.function.name };
}

/** The Messages API body for a contract request; `maxTokens` falls back to `defaultMaxTokens` (Anthropic requires it). */
export function toParams(request: ChatRequest, defaultMaxTokens: number): Params {
  if (!Array.isArray(request.messages) || request.messages.length === 0) throw refused('messages must be a non-empty array.');
  const { system, messages } = translateMessages(request.messages);
  const stop = request.stop === undefined ? undefined : Array.isArray(request.stop) ? request.stop : [request.stop];
  const choice = toolChoice(request.toolChoice);
  return {
    model: request.model,
    max_tokens: request.maxTokens ?? defaultMaxTokens,
    ...(system !== undefined && { system }),
    messages,
    ...(request.tools?.length && {
      tools: request.tools.map((tool) => ({
        name: tool.function.name,
        ...(tool.function.description && { description: tool.function.description }),
        input_schema: (tool.function.parameters ?? { type: 'object', properties: {} }) as Anthropic.Tool.InputSchema,
      })),
    }),
    ...(choice && { tool_choice: choice }),
    ...(stop?.length && { stop_sequences: stop }),
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    ...(request.topP !== undefined && { top_p: request.topP }),
    ...(request.user !== undefined && { metadata: { user_id: request.user } }),
  };
}

export function finishReason(stop: string | null | undefined): FinishReason {
  switch (stop) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** Input tokens count cache writes and reads too: they are part of the prompt. */
export function usageOf(usage: Partial<Anthropic.Usage> | undefined, output?: number): Usage {
  const prompt = (usage?.input_tokens ?? 0) + (usage?.cache_creation_input_tokens ?? 0) + (usage?.cache_read_input_tokens ?? 0);
  const completion = output ?? usage?.output_tokens ?? 0;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion };
}

/** An Anthropic Message as the contract's answer: text blocks joined, tool_use blocks as tool calls. */
export function fromMessage(message: Anthropic.Message): ProviderChatResponse {
  const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
  const toolCalls: ToolCall[] = message.content.flatMap((block) =>
    block.type === 'tool_use' ? [{ id: block.id, type: 'function' as const, function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } }] : [],
  );
  return {
    id: message.id,
    model: message.model,
    message: { role: 'assistant', content: text || (toolCalls.length ? null : ''), ...(toolCalls.length && { toolCalls }) },
    finishReason: finishReason(message.stop_reason),
    usage: usageOf(message.usage),
  };
}
