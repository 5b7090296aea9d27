import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { MAX_MODEL_NAME } from '../routing/model-router.js';
import { ChatCompletionRequestDto, EmbeddingRequestDto } from './chat-completion.dto.js';

/*
 * The common request bodies, checked in one compiled pass. Each schema accepts a strict subset of what
 * its DTO accepts (plain text messages, the usual sampling fields; no tools, no content parts, no
 * nulls), so a body it accepts is valid for class-validator too and comes out the same:
 * test/gateway/fast-bodies.spec.ts checks both on generated bodies. Anything else, including every
 * invalid body, goes the DTO's way (GatewayBodyPipe), whose 400 names the field.
 */

const text = { type: 'string' } as const;
/** A name or user id: the DTOs' MaxLength(256). */
const short = { type: 'string', maxLength: 256 } as const;
const name = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const plainMessage = {
  type: 'object',
  required: ['role', 'content'],
  additionalProperties: false,
  // A tool message needs tool_call_id, and an assistant's tool calls are nested DTOs: both go the DTO's way.
  properties: { role: { enum: ['system', 'developer', 'user', 'assistant'] }, content: text, name: short },
} as const;

const CHAT_SCHEMA = {
  type: 'object',
  required: ['model', 'messages'],
  properties: {
    model: name(MAX_MODEL_NAME),
    messages: { type: 'array', minItems: 1, maxItems: 10_000, items: plainMessage },
    temperature: { type: 'number', minimum: 0, maximum: 2 },
    top_p: { type: 'number', minimum: 0, maximum: 1 },
    max_tokens: { type: 'integer', minimum: 1 },
    max_completion_tokens: { type: 'integer', minimum: 1 },
    stop: { anyOf: [text, { type: 'array', maxItems: 4, items: text }] },
    seed: { type: 'integer' },
    user: short,
    stream: { type: 'boolean' },
    stream_options: { type: 'object', additionalProperties: false, properties: { include_usage: { type: 'boolean' } } },
    n: { const: 1 },
    fallbacks: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: MAX_MODEL_NAME } },
    // Declared by the DTO but not in this subset: present, they send the body the DTO's way.
    tools: false,
    tool_choice: false,
    response_format: false,
  },
} as const;

const EMBEDDING_SCHEMA = {
  type: 'object',
  required: ['model', 'input'],
  properties: {
    model: name(MAX_MODEL_NAME),
    input: { anyOf: [text, { type: 'array', minItems: 1, maxItems: 2048, items: text }] },
    dimensions: { type: 'integer', minimum: 1 },
    encoding_format: { enum: ['float', 'base64'] },
    user: short,
  },
} as const;

/** A fast check and the top-level fields it keeps (the DTO's; others are dropped, as the DTO's whitelist drops them). */
export interface FastBody {
  accepts: ValidateFunction;
  keys: ReadonlySet<string>;
}

/**
 * The fast checks per DTO class. ajv is loaded and the schemas compiled on first use (the gateway's
 * controller), so an app that mounts no gateway pays nothing for them.
 */
export function fastBodies(): ReadonlyMap<Function, FastBody> {
  if (compiled) return compiled;
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new Ajv({ strict: true, allErrors: false });
  const entry = (schema: { properties: Record<string, unknown> }): FastBody => ({
    accepts: ajv.compile(schema),
    keys: new Set(Object.entries(schema.properties).filter(([, rule]) => rule !== false).map(([key]) => key)),
  });
  compiled = new Map<Function, FastBody>([
    [ChatCompletionRequestDto, entry(CHAT_SCHEMA)],
    [EmbeddingRequestDto, entry(EMBEDDING_SCHEMA)],
  ]);
  return compiled;
}

let compiled: ReadonlyMap<Function, FastBody> | undefined;

/**
 * The body as the handler gets it, when `check` accepts it: its known top-level fields, in the order
 * sent. Undefined when the body is not in the fast subset.
 */
export function fastBody(check: FastBody, value: unknown): object | undefined {
  if (!check.accepts(value)) return undefined;
  const kept: Record<string, unknown> = {};
  for (const key in value as Record<string, unknown>) if (check.keys.has(key)) kept[key] = (value as Record<string, unknown>)[key];
  return kept;
}
