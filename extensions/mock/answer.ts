import type { ChatMessage, ChatRequest, FinishReason, ProviderChatResponse, ToolDefinition, Usage } from '../../src/extension.js';
import { refused } from './faults.js';

/*
 * What the mock answers, derived from the request alone: the same request gets the same answer,
 * whether it is asked for whole (chat) or in pieces (chatStream).
 */

/** An answer before it is sent: text in words, or a tool call's arguments in pieces. */
export interface Answer {
  /** One word of text each (with its leading space), or a piece of a tool call's arguments (JSON text). */
  pieces: string[];
  /** Set when the answer is a tool call; its arguments are `pieces.join('')`. */
  toolCall?: { id: string; name: string };
  finishReason: FinishReason;
  usage: Usage;
}

/** Characters of a tool call's arguments per streamed piece. */
const ARGUMENT_PIECE = 8;

/** Text in words, each with the whitespace before it; joined they give the text back exactly. */
export function words(text: string): string[] {
  const pieces: string[] = text.match(/\s*\S+/g) ?? [];
  const rest = text.slice(pieces.join('').length);
  if (rest) {
    if (pieces.length) pieces[pieces.length - 1] += rest;
    else pieces.push(rest);
  }
  return pieces;
}

/** How many tokens the mock counts in a text: its words. */
export const countTokens = (text: string) => text.match(/\S+/g)?.length ?? 0;

/** The text of a message: its string, or its text parts joined by spaces. */
function textOf(message: ChatMessage | undefined): string {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.flatMap((part) => (part?.type === 'text' && typeof part.text === 'string' ? [part.text] : [])).join(' ');
}

/** Prompt tokens: the words of every message, and one per image part. */
function promptTokens(messages: ChatMessage[]): number {
  let tokens = 0;
  for (const message of messages) {
    tokens += countTokens(textOf(message));
    if (Array.isArray(message?.content)) tokens += message.content.filter((part) => part?.type === 'image_url').length;
  }
  return tokens;
}

/** 32-bit FNV-1a: the mock's deterministic hash (ids, embeddings). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * A value that fits a JSON schema, picked without chance: `enum[0]`, `const` or `default` when given;
 * else by type: a string is the request's text, a number its `minimum` or 1, a boolean true, an array
 * one item, an object every declared property.
 */
export function sampleOf(schema: unknown, text: string, depth = 0): unknown {
  const s = (schema !== null && typeof schema === 'object' ? schema : {}) as Record<string, unknown>;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if ('const' in s) return s.const;
  if ('default' in s) return s.default;
  switch (Array.isArray(s.type) ? s.type[0] : s.type) {
    case 'string':
      return text;
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return depth < 5 ? [sampleOf(s.items, text, depth + 1)] : [];
    default: {
      const properties = s.properties !== null && typeof s.properties === 'object' ? (s.properties as Record<string, unknown>) : {};
      return depth < 5 ? Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, sampleOf(value, text, depth + 1)])) : {};
    }
  }
}

/** The tool to call, if any: the one toolChoice names, else the first; none for 'none' or to answer a tool result under 'auto'. */
function chosenTool(request: ChatRequest): ToolDefinition | undefined {
  const tools = request.tools ?? [];
  const choice = request.toolChoice;
  if (!tools.length || choice === 'none') return undefined;
  const unnamed = tools.findIndex((tool) => typeof tool?.function?.name !== 'string');
  if (unnamed >= 0) throw refused(`tools[${unnamed}].function.name must be a string, e.g. { "type": "function", "function": { "name": "lookup" } }.`);
  if (typeof choice === 'object' && choice !== null) {
    const wanted = choice.function?.name;
    const named = tools.find((tool) => tool?.function?.name === wanted);
    if (!named) throw refused(`toolChoice names the function "${wanted}", which is not among the tools offered (${tools.map((t) => t?.function?.name).join(', ')}). Name one of them, or offer it in tools.`);
    return named;
  }
  // Under 'auto', a conversation that ends with a tool's result gets a text answer, so agent loops end.
  if (choice !== 'required' && request.messages.at(-1)?.role === 'tool') return undefined;
  return tools[0];
}

/** The answer's text: the latest user or tool message, prefixed; JSON when responseFormat asks for it. */
function answerText(request: ChatRequest, prefix: string): string {
  const latest = request.messages.findLast((m) => m?.role === 'user' || m?.role === 'tool');
  const text = `${prefix}${textOf(latest)}`;
  const format = request.responseFormat;
  if (format?.type === 'json_object') return JSON.stringify({ answer: text });
  if (format?.type === 'json_schema') return JSON.stringify(format.jsonSchema?.schema ? sampleOf(format.jsonSchema.schema, text) : { answer: text });
  return text;
}

/** Cuts text before the earliest stop sequence, as a model stops before writing it. */
function applyStop(text: string, stop: ChatRequest['stop']): string {
  if (stop === undefined) return text;
  const sequences = (Array.isArray(stop) ? stop : [stop]).filter((s) => typeof s === 'string' && s.length > 0);
  const cut = Math.min(...sequences.map((s) => text.indexOf(s)).filter((at) => at >= 0));
  return Number.isFinite(cut) ? text.slice(0, cut) : text;
}

/**
 * The mock's answer to a chat request; throws a 400 ProviderError for what a provider would refuse.
 * When the last message is an assistant's text (a prefill), the answer is a text (never a tool call):
 * the rest of what the mock would answer, if the prefill begins it; else the whole answer.
 */
export function planAnswer(request: ChatRequest, prefix: string): Answer {
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    throw refused('messages must be a non-empty array, e.g. [{ "role": "user", "content": "hi" }].');
  }
  const { maxTokens } = request;
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1)) {
    throw refused(`maxTokens must be a whole number of at least 1; got ${JSON.stringify(maxTokens)}.`);
  }
  // A conversation that ends with an assistant's text is a prefill: the answer continues that text.
  const prefill = request.messages.at(-1)?.role === 'assistant' ? textOf(request.messages.at(-1)) : '';
  const offered = chosenTool(request);
  const tool = prefill ? undefined : offered;
  let pieces: string[];
  let toolCall: Answer['toolCall'];
  if (tool) {
    const last = request.messages.findLast((m) => m?.role === 'user');
    const sample = sampleOf(tool.function.parameters, textOf(last));
    const args = JSON.stringify(sample !== null && typeof sample === 'object' && !Array.isArray(sample) ? sample : {});
    const name = tool.function.name;
    toolCall = { id: `call_${fnv1a(`${name}\n${args}\n${request.messages.length}`).toString(16).padStart(8, '0')}`, name };
    pieces = [];
    for (let at = 0; at < args.length; at += ARGUMENT_PIECE) pieces.push(args.slice(at, at + ARGUMENT_PIECE));
  } else {
    const text = applyStop(answerText(request, prefix), request.stop);
    pieces = words(prefill && text.startsWith(prefill) ? text.slice(prefill.length) : text);
  }
  let finishReason: FinishReason = toolCall ? 'tool_calls' : 'stop';
  if (maxTokens !== undefined && pieces.length > maxTokens) {
    pieces = pieces.slice(0, maxTokens);
    finishReason = 'length';
  }
  const prompt = promptTokens(request.messages);
  return { pieces, toolCall, finishReason, usage: { promptTokens: prompt, completionTokens: pieces.length, totalTokens: prompt + pieces.length } };
}

/** The answer as chat() returns it. */
export function toResponse(answer: Answer, model: string, id: string): ProviderChatResponse {
  const { pieces, toolCall, finishReason, usage } = answer;
  const message: ProviderChatResponse['message'] = toolCall
    ? { role: 'assistant', content: null, toolCalls: [{ id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: pieces.join('') } }] }
    : { role: 'assistant', content: pieces.join('') };
  return { id, model, message, finishReason, usage };
}
