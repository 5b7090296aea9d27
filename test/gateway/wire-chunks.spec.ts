import { describe, expect, it } from '@jest/globals';
import { WireChunks } from '../../src/gateway/openai-mapping.js';
import type { ChatChunk } from '../../src/provider/chat.interface.js';

/** What OpenAI sends for a chunk, serialized whole: what every event must equal byte for byte. */
function expected(header: { id: string; created: number; model: string }, delta: Record<string, unknown>, finish: string | null) {
  const chunk = { ...header, object: 'chat.completion.chunk', system_fingerprint: null, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

describe('WireChunks: a stream\'s events, built on a head serialized once', () => {
  const header = { id: 'chatcmpl-1', created: 1700000000, model: 'mock-chat' };

  it('writes each kind of chunk as JSON.stringify writes the whole chunk', () => {
    const wire = new WireChunks({ ...header });
    const cases: [ChatChunk, Record<string, unknown>, string | null][] = [
      [{ delta: { role: 'assistant', content: '' } }, { role: 'assistant', content: '' }, null],
      [{ delta: { content: 'plain words' } }, { content: 'plain words' }, null],
      [{ delta: { content: 'quotes " and \\ and \n and \u2028 and é and 😀 and </script>' } }, { content: 'quotes " and \\ and \n and \u2028 and é and 😀 and </script>' }, null],
      [{ delta: { content: '' } }, { content: '' }, null],
      [{ delta: { content: 'last words' }, finishReason: 'stop' }, { content: 'last words' }, 'stop'],
      [{ delta: {}, finishReason: 'length' }, {}, 'length'],
      [{ delta: { toolCalls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a"' } }] } }, { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a"' } }] }, null],
      [{ delta: { content: 'text', toolCalls: [] } }, { content: 'text' }, null],
      // Outside the contract's types, but written as the whole chunk would be.
      [{ delta: { content: 'odd end' }, finishReason: '' as unknown as 'stop' }, { content: 'odd end' }, ''],
    ];
    for (const [chunk, delta, finish] of cases) expect(wire.event(chunk)).toBe(expected(header, delta, finish));
  });

  it('sends nothing for a chunk with neither delta nor finish reason, and follows a change of model', () => {
    const wire = new WireChunks({ ...header });
    expect(wire.event({ delta: {}, usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } })).toBeUndefined();
    wire.header.model = 'backup-chat';
    expect(wire.event({ delta: { content: 'x' } })).toBe(expected({ ...header, model: 'backup-chat' }, { content: 'x' }, null));
  });
});
