import type { ChatChunk, ChatRequest, Usage } from '../../provider/chat.interface.js';
import type { PlannedRoute } from './route-plan.js';

/*
 * How a stream that failed after content reached the caller goes on elsewhere: with the delivered
 * text as an assistant prefill (routes whose model has the `prefill` capability continue it), or by
 * replaying the request and skipping the part of the new answer that matches what was delivered.
 */

export type ContinuationMode = 'fresh' | 'prefill' | 'replay';

export const supportsPrefill = (route: PlannedRoute) => route.model.capabilities.includes('prefill');

/** The request for a continuation: the delivered text as the last, unfinished assistant message. */
export function prefillRequest(request: ChatRequest, delivered: string): ChatRequest {
  return { ...request, messages: [...request.messages, { role: 'assistant', content: delivered }] };
}

/** A chunk worth forwarding: an object whose delta (if any) is an object; a malformed one is skipped. */
export function wellFormed(chunk: unknown): chunk is ChatChunk {
  if (chunk === null || typeof chunk !== 'object') return false;
  const { delta, finishReason, usage } = chunk as ChatChunk;
  if (delta !== undefined && (delta === null || typeof delta !== 'object')) return false;
  if (delta !== undefined && delta.content !== undefined && typeof delta.content !== 'string') return false;
  return delta !== undefined || finishReason != null || usage !== undefined;
}

export const hasToken = (chunk: ChatChunk) => Boolean(chunk.delta?.content) || Boolean(chunk.delta?.toolCalls?.length);

/** A replayed answer differs from what the caller already has: this route cannot continue it. */
export class ReplayMismatch extends Error {}

/**
 * Skips the replayed part of a fallback's answer: feed each chunk; what comes back is the chunk to
 * forward (its text cut to what is new), or undefined while the replay still covers delivered text.
 */
export class ReplayCursor {
  private matched = 0;

  constructor(private readonly delivered: string) {}

  get done(): boolean {
    return this.matched >= this.delivered.length;
  }

  feed(chunk: ChatChunk): ChatChunk | undefined {
    if (this.done) return chunk;
    if (chunk.delta?.toolCalls?.length) throw new ReplayMismatch('the replayed answer calls a tool where the first answer had text');
    const text = chunk.delta?.content ?? '';
    const want = this.delivered.slice(this.matched, this.matched + text.length);
    const overlap = Math.min(text.length, this.delivered.length - this.matched);
    if (text.slice(0, overlap) !== want.slice(0, overlap)) throw new ReplayMismatch('the replayed answer differs from the text already delivered');
    this.matched += overlap;
    if (chunk.finishReason && !this.done) throw new ReplayMismatch('the replayed answer is shorter than the text already delivered');
    const rest = text.slice(overlap);
    if (!rest && !chunk.finishReason && !chunk.usage) return undefined;
    return { ...chunk, delta: { ...(rest && { content: rest }) } };
  }
}

/** Characters per token, for an estimate when a provider's stream ended without its usage. */
const CHARS_PER_TOKEN = 4;

function textOf(request: ChatRequest): number {
  let chars = 0;
  for (const message of request.messages) {
    if (typeof message.content === 'string') chars += message.content.length;
    else if (Array.isArray(message.content)) for (const part of message.content) chars += part.type === 'text' ? part.text.length : 0;
  }
  return chars;
}

/** Usage estimated from the text (a quarter of the characters), marked `estimated`. */
export function estimatedUsage(request: ChatRequest, answerChars: number): Usage {
  const promptTokens = Math.ceil(textOf(request) / CHARS_PER_TOKEN);
  const completionTokens = Math.ceil(answerChars / CHARS_PER_TOKEN);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, estimated: true };
}
