import type { ChatChunk, ToolCall } from '../../src/index.js';

/** The content a stream carries, joined. */
export const textOf = (chunks: ChatChunk[]) => chunks.map((c) => c.delta?.content ?? '').join('');

/** Tool-call fragments put back together by index, as a client does. */
export function reassemble(chunks: ChatChunk[]): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const fragment of chunks.flatMap((c) => c.delta?.toolCalls ?? [])) {
    const call = (calls[fragment.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
    if (fragment.id) call.id = fragment.id;
    if (fragment.function?.name) call.function.name = fragment.function.name;
    call.function.arguments += fragment.function?.arguments ?? '';
  }
  return calls;
}
