import { randomUUID } from 'node:crypto';
import type {
  ChatChunk,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ContentPart,
  EmbeddingRequest,
  EmbeddingResponse,
  ResponseFormat,
  ToolChoice,
  Usage,
} from '../provider/chat.interface.js';
import type { ChatCompletionRequestDto, ChatMessageDto, EmbeddingRequestDto } from './chat-completion.dto.js';

/*
 * OpenAI's wire format (snake_case) to the provider contract (camelCase) and back. The request was
 * validated first (chat-completion.dto.ts), so shapes here are known.
 */

function toPart(part: Record<string, any>): ContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text };
  return { type: 'image_url', imageUrl: { url: part.image_url.url, ...(part.image_url.detail && { detail: part.image_url.detail }) } };
}

function toMessage(message: ChatMessageDto): ChatMessage {
  const { role, content, name, tool_calls, tool_call_id } = message;
  return {
    role,
    content: Array.isArray(content) ? content.map(toPart) : ((content as string | null | undefined) ?? null),
    ...(name !== undefined && { name }),
    ...(tool_calls?.length && { toolCalls: tool_calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.function.name, arguments: c.function.arguments } })) }),
    ...(tool_call_id !== undefined && { toolCallId: tool_call_id }),
  };
}

function toFormat(format: NonNullable<ChatCompletionRequestDto['response_format']>): ResponseFormat {
  if (format.type !== 'json_schema') return { type: format.type };
  return { type: 'json_schema', jsonSchema: { ...format.json_schema! } };
}

/** A validated Chat Completions body as the provider contract's request. */
export function toChatRequest(body: ChatCompletionRequestDto): ChatRequest {
  const { model, messages, tools, tool_choice, response_format, temperature, top_p, max_tokens, max_completion_tokens, stop, seed, user, fallbacks } = body;
  const maxTokens = max_completion_tokens ?? max_tokens;
  return {
    model,
    messages: messages.map(toMessage),
    ...(tools?.length && { tools: tools.map((t) => ({ type: 'function' as const, function: { ...t.function } })) }),
    ...(tool_choice !== undefined && { toolChoice: tool_choice as ToolChoice }),
    ...(response_format && { responseFormat: toFormat(response_format) }),
    ...(temperature !== undefined && { temperature }),
    ...(top_p !== undefined && { topP: top_p }),
    ...(maxTokens !== undefined && { maxTokens }),
    ...(stop !== undefined && { stop }),
    ...(seed !== undefined && { seed }),
    ...(user !== undefined && { user }),
    ...(fallbacks !== undefined && { fallbacks }),
  };
}

export function toEmbeddingRequest(body: EmbeddingRequestDto): EmbeddingRequest {
  const { model, input, dimensions, user } = body;
  return { model, input, ...(dimensions !== undefined && { dimensions }), ...(user !== undefined && { user }) };
}

/** Usage in OpenAI's names; one the router estimated (a stream that ended without any) says so. */
export const wireUsage = (usage: Usage) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.totalTokens,
  ...(usage.estimated && { estimated: true }),
});

const wireToolCalls = (calls: NonNullable<ChatResponse['message']['toolCalls']>) =>
  calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.function.name, arguments: c.function.arguments } }));

export const completionId = () => `chatcmpl-${randomUUID().replaceAll('-', '')}`;
export const unixSeconds = () => Math.floor(Date.now() / 1000);

/** A chat answer as OpenAI's `chat.completion` object. */
export function toCompletion(answer: ChatResponse) {
  const { message, finishReason, usage, model } = answer;
  return {
    id: completionId(),
    object: 'chat.completion',
    created: unixSeconds(),
    model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: message.content, refusal: null, ...(message.toolCalls?.length && { tool_calls: wireToolCalls(message.toolCalls) }) },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: wireUsage(usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 }),
  };
}

/** What every chunk of one stream shares: its id, creation time and model. */
export interface StreamHeader {
  id: string;
  created: number;
  model: string;
}

/** One contract chunk's delta as OpenAI's `delta`, or undefined when it carries nothing to send. */
function wireDelta(delta: ChatChunk['delta']): Record<string, unknown> | undefined {
  if (!delta) return undefined;
  const wire: Record<string, unknown> = {};
  let any = false;
  if (delta.role) (wire.role = delta.role), (any = true);
  if (typeof delta.content === 'string') (wire.content = delta.content), (any = true);
  if (delta.toolCalls?.length) {
    wire.tool_calls = delta.toolCalls.map((c) => ({
      index: c.index,
      ...(c.id !== undefined && { id: c.id }),
      ...(c.type !== undefined && { type: c.type }),
      ...(c.function && { function: { ...c.function } }),
    }));
    any = true;
  }
  return any ? wire : undefined;
}

/** A delta's JSON; most chunks carry text and nothing else, and theirs is written without an object to serialize. */
function deltaJson(delta: ChatChunk['delta']): string | undefined {
  if (typeof delta?.content === 'string' && !delta.role && !delta.toolCalls?.length) return `{"content":${JSON.stringify(delta.content)}}`;
  const wire = wireDelta(delta);
  return wire && JSON.stringify(wire);
}

/**
 * The `data:` events of one stream's `chat.completion.chunk` objects. What every chunk shares (id,
 * created, model, object) is serialized once, and again only when the model changes (a stream
 * continued on a fallback); each chunk adds its delta and finish reason. The text is what
 * JSON.stringify gives for the whole object.
 */
export class WireChunks {
  private head = '';
  private headModel?: string;

  constructor(readonly header: StreamHeader) {}

  private shared(): string {
    if (this.headModel !== this.header.model) {
      this.headModel = this.header.model;
      this.head = `data: ${JSON.stringify({ ...this.header, object: 'chat.completion.chunk', system_fingerprint: null }).slice(0, -1)},"choices":`;
    }
    return this.head;
  }

  /** A chunk's event, or undefined for a chunk with no delta and no finish reason (usage only). */
  event(chunk: ChatChunk): string | undefined {
    const delta = deltaJson(chunk.delta);
    const finish = chunk.finishReason ?? null;
    if (!delta && !finish) return undefined;
    return `${this.shared()}[{"index":0,"delta":${delta || '{}'},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}]}\n\n`;
  }

  /** The last event when the client asked for usage (`stream_options.include_usage`): no choices, only usage. */
  usage(usage: Usage): string {
    return `${this.shared()}[],"usage":${JSON.stringify(wireUsage(usage))}}\n\n`;
  }
}

/** Little-endian float32 bytes in base64: what the openai SDK asks for by default and decodes. */
const base64Floats = (vector: number[]) => Buffer.from(new Float32Array(vector).buffer).toString('base64');

export function toEmbeddingList(answer: EmbeddingResponse, format: 'float' | 'base64' = 'float') {
  const usage = answer.usage ?? { promptTokens: 0, totalTokens: 0 };
  return {
    object: 'list',
    model: answer.model,
    data: answer.data.map((d) => ({ object: 'embedding', index: d.index, embedding: format === 'base64' ? base64Floats(d.embedding) : d.embedding })),
    usage: { prompt_tokens: usage.promptTokens, total_tokens: usage.totalTokens },
  };
}
