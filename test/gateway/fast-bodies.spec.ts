import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { BadRequestException } from '@nestjs/common';
import fc from 'fast-check';
import { GatewayBodyPipe } from '../../src/gateway/body-pipe.js';
import { shapedBody } from '../../src/gateway/body-shape.js';
import { ChatCompletionRequestDto, EmbeddingRequestDto } from '../../src/gateway/chat-completion.dto.js';
import { fastBodies, fastBody } from '../../src/gateway/fast-bodies.js';
import { validatedBody } from '../../src/gateway/request-validation.js';

/*
 * The fast check of common bodies must accept only what the DTO accepts, and hand the handler the same
 * data: generated bodies (mostly valid, often slightly off) go both ways, and wherever the fast check
 * says yes, class-validator must say yes with an equal result.
 */

type Dto = new () => object;

/** class-validator's verdict: the body as its DTO instance (as plain data), or the 400's message. */
function slow(dto: Dto, body: unknown): { data: unknown } | { error: string } {
  try {
    return { data: JSON.parse(JSON.stringify(validatedBody(dto, shapedBody(body, dto)))) };
  } catch (error) {
    if (error instanceof BadRequestException) return { error: messageOf(error) };
    throw error;
  }
}

const messageOf = (error: BadRequestException) => (error.getResponse() as { error: { message: string } }).error.message;

/** The 400's message of a body the pipe refuses. */
function refusal(pipe: GatewayBodyPipe, value: unknown, metatype: Dto): string | undefined {
  try {
    pipe.transform(value, { type: 'body', metatype });
    return undefined;
  } catch (error) {
    return messageOf(error as BadRequestException);
  }
}

const fast = (dto: Dto, body: unknown) => fastBody(fastBodies().get(dto)!, body);

const mostly = <T,>(good: fc.Arbitrary<T>, ...bad: unknown[]) => fc.oneof({ weight: 10, arbitrary: good }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
/** Now and then a top-level field nobody declared (the DTO drops them). */
const undeclared = fc.dictionary(fc.constantFrom('frequency_penalty', 'metadata', 'logprobs', '__proto__', 'constructor', 'zzz'), fc.jsonValue(), { maxKeys: 2 });
/**
 * A body: its common fields (each present or not), now and then rare ones (which the fast check leaves
 * to the DTO) and undeclared ones.
 */
function body(common: Record<string, fc.Arbitrary<unknown>>, required: string[], rare: Record<string, fc.Arbitrary<unknown>> = {}) {
  const sometimes = fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.record(rare, { requiredKeys: [] }) });
  return fc.tuple(fc.record(common, { requiredKeys: required }), sometimes, undeclared).map(([known, few, unknown]) => ({ ...unknown, ...known, ...few }));
}

// Strings around the length limits, counted as class-validator counts them (emoji as one) and not (a variation selector).
const text = mostly(fc.string({ maxLength: 12 }), '', null, 3, ['x'], '\u{1F600}'.repeat(200), '\u{1F600}'.repeat(300), 'a\uFE0F'.repeat(200));
const number = (min: number, max: number) => mostly(fc.double({ min, max, noNaN: true }), -1, 3, null, '1', 1.5, 0);
const integer = mostly(fc.integer({ min: 1, max: 5 }), 0, -1, 1.5, null, '2');
const plainMessage = fc.record({ role: fc.constantFrom('system', 'developer', 'user', 'assistant'), content: fc.string({ maxLength: 12 }), name: text }, { requiredKeys: ['role', 'content'] });
const anyMessage = fc.record(
  {
    role: mostly(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool'), 'robot', null),
    content: fc.oneof(text, fc.constant([{ type: 'text', text: 'hi' }]), fc.constant(null)),
    name: text,
    tool_call_id: text,
    tool_calls: fc.constant([{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }]),
    other: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const message = fc.oneof({ weight: 6, arbitrary: plainMessage }, { weight: 1, arbitrary: anyMessage });

const chatBody = body(
  {
    model: mostly(fc.constantFrom('mock', 'mock:mock-chat', 'gpt-*'), '', 'm'.repeat(513), '\u{1F600}'.repeat(512), 7, null),
    messages: mostly(fc.array(message, { minLength: 1, maxLength: 4 }), [], 'hi', null, {}),
    temperature: number(0, 2),
    top_p: number(0, 1),
    max_tokens: integer,
    max_completion_tokens: integer,
    n: mostly(fc.constant(1), 2, 0, 1.5, '1'),
    seed: integer,
    stop: mostly(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 5 })), null, 3, [1]),
    user: text,
    stream: mostly(fc.boolean(), 'yes', null, 1),
    stream_options: mostly(fc.record({ include_usage: mostly(fc.boolean(), 'no') }, { requiredKeys: [] }), null, 'x', { other: 1 }),
    fallbacks: mostly(fc.array(fc.string({ maxLength: 8 }), { maxLength: 11 }), 'x', [1], null),
  },
  ['model', 'messages'],
  {
    tools: fc.constantFrom([], [{ type: 'function', function: { name: 'f' } }], 'x'),
    tool_choice: fc.constantFrom('auto', 'none', 'x'),
    response_format: fc.constantFrom({ type: 'text' }, { type: 'x' }),
  },
);

const embeddingBody = body(
  {
    model: mostly(fc.constantFrom('mock', 'mock-embed'), '', 4, null),
    input: mostly(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })), [], [1], null, 5),
    dimensions: integer,
    encoding_format: mostly(fc.constantFrom('float', 'base64'), 'hex', null),
    user: text,
  },
  ['model', 'input'],
);

function agree(dto: Dto, generated: fc.Arbitrary<Record<string, unknown>>) {
  let accepted = 0;
  fc.assert(
    fc.property(generated, (value) => {
      const quick = fast(dto, structuredClone(value));
      if (quick === undefined) return;
      accepted++;
      if (process.env.SHOW) console.log(JSON.stringify(value));
      expect(slow(dto, structuredClone(value))).toEqual({ data: JSON.parse(JSON.stringify(quick)) });
    }),
    { numRuns: 3000 },
  );
  return accepted;
}

describe('the fast check of common bodies', () => {
  it('accepts only chat bodies the DTO accepts, and gives the same data (3,000 generated bodies)', () => {
    // Enough of them take the fast path for the comparison to mean something.
    expect(agree(ChatCompletionRequestDto, chatBody)).toBeGreaterThan(100);
  });

  it('accepts only embedding bodies the DTO accepts, and gives the same data (3,000 generated bodies)', () => {
    expect(agree(EmbeddingRequestDto, embeddingBody)).toBeGreaterThan(100);
  });

  it('takes the common chat body and drops the fields nobody declared', () => {
    const value = { model: 'mock', frequency_penalty: 0, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi', name: 'ann' }], stream: true, stream_options: { include_usage: true } };
    expect(fast(ChatCompletionRequestDto, value)).toEqual({ model: 'mock', messages: value.messages, stream: true, stream_options: { include_usage: true } });
  });

  it('leaves tools, tool messages, content parts and nulls to the DTO, which still takes the valid ones', () => {
    const user = { role: 'user', content: 'Hi' };
    const valid = [
      { model: 'mock', messages: [user], tools: [{ type: 'function', function: { name: 'f' } }] },
      { model: 'mock', messages: [user, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', content: '1', tool_call_id: 'c' }] },
      { model: 'mock', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
      { model: 'mock', messages: [user], temperature: null },
    ];
    for (const value of valid) {
      expect(fast(ChatCompletionRequestDto, value)).toBeUndefined();
      expect(slow(ChatCompletionRequestDto, value)).toHaveProperty('data');
    }
  });

  it('sends an invalid body to the DTO, whose 400 names the field', () => {
    const pipe = new GatewayBodyPipe();
    expect(refusal(pipe, { model: 'mock', messages: [{ role: 'user', content: 'Hi' }], temperature: 3 }, ChatCompletionRequestDto)).toMatch(/^Invalid 'temperature'/);
    expect(refusal(pipe, { model: 'mock', messages: [{ role: 'robot', content: 'Hi' }] }, ChatCompletionRequestDto)).toMatch(/^Invalid 'messages\[0\]\.role'/);
    expect(refusal(pipe, { model: 'mock', input: [] }, EmbeddingRequestDto)).toMatch(/^Invalid 'input'/);
    const ok = { model: 'mock', messages: [{ role: 'user', content: 'Hi' }] };
    expect(pipe.transform(ok, { type: 'body', metatype: ChatCompletionRequestDto })).toEqual(ok);
  });
});
