import { ConfigField, Extension, Model } from '../../src/extension.js';
import type {
  CallOptions,
  ChatChunk,
  ChatProvider,
  ChatRequest,
  EmbeddingRequest,
  ExtensionLifecycle,
  LifecycleOptions,
  ProviderChatResponse,
  ProviderEmbeddingResponse,
} from '../../src/extension.js';
import { planAnswer, toResponse, type Answer } from './answer.js';
import { embedAll, MAX_DIMENSIONS } from './embedding.js';
import { failsCall, hangUntilAborted, injectedFault, midStreamFault, pause, refused, tokenPause } from './faults.js';

export interface MockConfig {
  prefix: string;
  latencyMs: number;
  timeToFirstTokenMs: number;
  tokenDelayMs: number;
  dimensions: number;
  failRate: number;
  failFirst?: number;
  failStatus: number;
  failCode?: string;
  failConnection: boolean;
  retryAfterMs?: number;
  hang: boolean;
  cutAfterTokens?: number;
  stallAfterTokens?: number;
  failAfterTokens?: number;
  malformedChunk: boolean;
}

export const CHAT_MODEL = 'mock-chat';
export const EMBEDDING_MODEL = 'mock-embed';

const MAX_WAIT_MS = 600_000;
const ms = (envVar: string, description: string) =>
  ({ type: 'integer', default: 0, min: 0, max: MAX_WAIT_MS, envVar, description, secret: false }) as const;
const count = (envVar: string, description: string) => ({ type: 'integer', min: 0, envVar, description, secret: false }) as const;

/**
 * The embedded default: a provider that needs no key and implements the whole contract (chat, streamed
 * chat, tools, embeddings) with deterministic answers, and takes faults on request, so an app runs out
 * of the box and tests have a real target for latency, failures, hangs and broken streams.
 */
@Extension({ name: 'mock', description: 'Deterministic keyless provider: chat, streaming, tools, embeddings, injectable faults', version: '1.0.0', author: 'Gleitzeit' })
@Model(CHAT_MODEL, { capabilities: ['text', 'function_calling', 'vision', 'streaming', 'prefill'], maxTokens: 32768, costPerToken: 0, aliases: ['mock'] })
@Model(EMBEDDING_MODEL, { capabilities: ['embeddings'], maxTokens: 8192, costPerToken: 0 })
@ConfigField('prefix', { default: '', envVar: 'MOCK_PREFIX', description: 'Text put before every answer' })
@ConfigField('latencyMs', ms('MOCK_LATENCY_MS', 'Wait before every answer, first chunk or injected fault'))
@ConfigField('timeToFirstTokenMs', ms('MOCK_TIME_TO_FIRST_TOKEN_MS', 'Streams: a further wait before the first chunk'))
@ConfigField('tokenDelayMs', ms('MOCK_TOKEN_DELAY_MS', 'Streams: wait between one token chunk and the next'))
@ConfigField('dimensions', { type: 'integer', default: 16, min: 1, max: MAX_DIMENSIONS, envVar: 'MOCK_DIMENSIONS', description: 'Embedding size when a request gives none' })
@ConfigField('failRate', { type: 'number', default: 0, min: 0, max: 1, envVar: 'MOCK_FAIL_RATE', description: 'Share of calls that fail (1: every call); call n fails when floor(n x rate) grows' })
@ConfigField('failFirst', count('MOCK_FAIL_FIRST', 'The first N calls fail, later ones answer (with failRate: a call fails if either picks it)'))
@ConfigField('failStatus', { type: 'integer', default: 503, min: 400, max: 599, envVar: 'MOCK_FAIL_STATUS', description: 'HTTP status of an injected failure' })
@ConfigField('failCode', { envVar: 'MOCK_FAIL_CODE', description: 'providerCode of an injected failure (default: named after the status), e.g. context_length_exceeded' })
@ConfigField('failConnection', { type: 'boolean', default: false, envVar: 'MOCK_FAIL_CONNECTION', description: 'Injected failures are connection resets: no status, providerCode connection_error' })
@ConfigField('retryAfterMs', count('MOCK_RETRY_AFTER_MS', 'Retry-After of an injected failure, in ms'))
@ConfigField('hang', { type: 'boolean', default: false, envVar: 'MOCK_HANG', description: 'Never answer; calls end only when their signal aborts' })
@ConfigField('cutAfterTokens', count('MOCK_CUT_AFTER_TOKENS', 'Streams end after this many token chunks, with no finishReason (a dropped connection)'))
@ConfigField('stallAfterTokens', count('MOCK_STALL_AFTER_TOKENS', 'Streams go silent after this many token chunks until their signal aborts'))
@ConfigField('failAfterTokens', count('MOCK_FAIL_AFTER_TOKENS', 'Streams throw an injected failure (failStatus, failCode, failConnection) after this many token chunks'))
@ConfigField('malformedChunk', { type: 'boolean', default: false, envVar: 'MOCK_MALFORMED_CHUNK', description: 'Streams send one chunk without delta, right after the first' })
export class MockExtension implements ExtensionLifecycle, ChatProvider {
  /** Calls received (chat, chatStream, embed), faults included: the sequence failRate and failFirst count in. */
  private calls = 0;
  /** Calls answered in full: chat and embed resolved, streams that sent their finish reason. */
  private served = 0;

  constructor(readonly config: MockConfig) {}

  async chat(request: ChatRequest, options: CallOptions): Promise<ProviderChatResponse> {
    const call = await this.begin('chat', options);
    const answer = planAnswer(this.checkModel(request, CHAT_MODEL), this.config.prefix);
    this.served++;
    return toResponse(answer, request.model, `mock-${call}`);
  }

  /**
   * The answer of chat() in chunks: a first chunk with the role (and a tool call's id and name), one
   * chunk per word (or per piece of a tool call's arguments), one with the finish reason, one with usage.
   */
  async *chatStream(request: ChatRequest, options: CallOptions): AsyncGenerator<ChatChunk> {
    const call = await this.begin('chatStream', options);
    const answer = planAnswer(this.checkModel(request, CHAT_MODEL), this.config.prefix);
    const id = `mock-${call}`;
    const model = request.model;
    if (this.config.timeToFirstTokenMs > 0) await pause(this.config.timeToFirstTokenMs, options.signal);
    yield { id, model, delta: firstDelta(answer) };
    const { cutAfterTokens: cut, stallAfterTokens: stall, failAfterTokens: die } = this.config;
    if (this.config.malformedChunk) yield { id, model, note: 'a chunk with no delta, sent by the mock because malformedChunk is on' } as unknown as ChatChunk;
    const { pieces, toolCall } = answer;
    for (let sent = 0; sent < pieces.length; sent++) {
      const piece = pieces[sent];
      if (sent === cut) return;
      if (sent === stall) await hangUntilAborted(options.signal);
      if (sent === die) throw midStreamFault(call, sent, this.config);
      const wait = sent > 0 ? tokenPause(sent, this.config.tokenDelayMs, options) : undefined;
      if (wait) await wait;
      yield { id, model, delta: toolCall ? { toolCalls: [{ index: 0, function: { arguments: piece } }] } : { content: piece } };
    }
    // A cut, a stall or a failure set past the answer's length still hits: the finish reason never comes.
    if (cut !== undefined && cut >= answer.pieces.length) return;
    if (stall !== undefined && stall >= answer.pieces.length) await hangUntilAborted(options.signal);
    if (die !== undefined && die >= answer.pieces.length) throw midStreamFault(call, answer.pieces.length, this.config);
    this.served++;
    yield { id, model, delta: {}, finishReason: answer.finishReason };
    yield { id, model, delta: {}, usage: answer.usage };
  }

  async embed(request: EmbeddingRequest, options: CallOptions): Promise<ProviderEmbeddingResponse> {
    await this.begin('embed', options);
    const answer = embedAll(this.checkModel(request, EMBEDDING_MODEL), this.config.dimensions);
    this.served++;
    return answer;
  }

  /** Up while the process runs: faults are for calls, not for health. */
  healthCheck(_options?: LifecycleOptions) {
    return { healthy: true, served: this.served, calls: this.calls };
  }

  /**
   * Every call: counted, then latency, then a hang or an injected fault if configured. The signal is
   * read only for a wait: with none, the mock answers at once, as a provider answering from memory
   * would (and the router's own race still ends an aborted call).
   */
  private async begin(operation: 'chat' | 'chatStream' | 'embed', options: CallOptions): Promise<number> {
    const call = ++this.calls;
    if (this.config.latencyMs > 0) await pause(this.config.latencyMs, options.signal);
    if (this.config.hang) await hangUntilAborted(options.signal);
    if (failsCall(call, this.config)) throw injectedFault(call, operation, this.config);
    return call;
  }

  /** The router sends each model's own name; a direct caller may send the wrong one. */
  private checkModel<T extends { model: string }>(request: T, expected: string): T {
    if (request?.model !== expected) {
      const kind = expected === CHAT_MODEL ? 'chat' : 'embeddings';
      throw refused(`model "${request?.model}" does not serve ${kind} here; use "${expected}".`, 404);
    }
    return request;
  }
}

/** The first chunk: the role, and for a tool call its index, id and name with empty arguments. */
function firstDelta(answer: Answer): ChatChunk['delta'] {
  if (!answer.toolCall) return { role: 'assistant', content: '' };
  const { id, name } = answer.toolCall;
  return { role: 'assistant', toolCalls: [{ index: 0, id, type: 'function', function: { name, arguments: '' } }] };
}
