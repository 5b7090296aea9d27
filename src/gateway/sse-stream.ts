import { Logger } from '@nestjs/common';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { ExtensionError } from '../errors/index.js';
import type { ChatChunk, Usage } from '../provider/chat.interface.js';
import type { ChatStream } from '../routing/resilience/resilient-stream.js';
import { accountingHeaders } from './accounting.js';
import type { CallLimits } from './call-limits.js';
import { extensionErrorBody, type OpenAiErrorBody } from './http-errors.js';
import { completionId, unixSeconds, WireChunks } from './openai-mapping.js';

const logger = new Logger('Gateway');

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  // Proxies such as nginx would otherwise hold chunks back.
  'x-accel-buffering': 'no',
};

export interface StreamOptions {
  extension: string;
  /** The model name to show when the provider's chunks name none. */
  model: string;
  includeUsage: boolean;
}

/**
 * Writes; when the client reads slowly, returns the wait for it to catch up (a slow client holds back
 * the provider, not memory), else nothing to wait for.
 */
function write(response: ServerResponse, text: string, limits: CallLimits): Promise<unknown> | undefined {
  return response.write(text) ? undefined : once(response, 'drain', { signal: limits.signal });
}

function streamErrorBody(error: unknown): OpenAiErrorBody {
  if (error instanceof ExtensionError) return extensionErrorBody(error);
  return { error: { message: 'The stream failed; the server log has the cause.', type: 'server_error', param: null, code: null } };
}

/** What a stream delivered: its usage when it came, and the characters of content sent (to estimate a cut stream's tokens). */
export interface StreamSent {
  usage?: Usage;
  chars: number;
}

/**
 * Sends a streamed answer as OpenAI does: Server-Sent Events of `chat.completion.chunk` objects, a
 * usage chunk when asked for, then `data: [DONE]`. The first chunk is awaited before any header goes
 * out, so a provider that refuses (429, 401, unknown model) answers with a real HTTP status. A failure
 * later is an `error` event (what OpenAI clients raise), and no [DONE]; the router never ends a cut
 * answer as a whole one (it fails with `stream_cut`), so neither does this.
 */
export async function sendStream(stream: AsyncIterable<ChatChunk> & Partial<Pick<ChatStream, 'attempts' | 'route'>>, response: ServerResponse, limits: CallLimits, options: StreamOptions): Promise<StreamSent> {
  const iterator = stream[Symbol.asyncIterator]();
  const close = () => void iterator.return?.(undefined)?.catch(() => undefined);
  let step: IteratorResult<ChatChunk>;
  try {
    step = await limits.race(iterator.next());
  } catch (error) {
    close();
    throw error;
  }
  response.writeHead(200, { ...SSE_HEADERS, ...accountingHeaders(stream.attempts, stream.route) });
  const wire = new WireChunks({ id: completionId(), created: unixSeconds(), model: step.value?.model ?? options.model });
  const sent: StreamSent = { chars: 0 };
  try {
    while (!step.done) {
      limits.touch();
      const chunk = step.value;
      if (chunk?.usage) sent.usage = chunk.usage;
      const content = chunk?.delta?.content;
      if (typeof content === 'string') sent.chars += content.length;
      // A stream continued on a fallback names the model that sends each chunk.
      if (typeof chunk?.model === 'string' && chunk.model) wire.header.model = chunk.model;
      const event = chunk && wire.event(chunk);
      const slow = event && write(response, event, limits);
      if (slow) await slow;
      // The router's stream races each of its waits against the call's abort (limits.scope reaches
      // it), so a chunk that never comes ends here too, past the limit or when the client leaves.
      step = await iterator.next();
    }
    if (options.includeUsage && sent.usage) await write(response, wire.usage(sent.usage), limits);
    response.end('data: [DONE]\n\n');
    return sent;
  } catch (error) {
    close();
    if (limits.clientGone || response.destroyed || response.writableEnded) return sent;
    logger.warn(`A stream from extension "${options.extension}" failed after it began: ${error instanceof Error ? error.message : 'a value that is not an Error'}`);
    response.end(`data: ${JSON.stringify(streamErrorBody(error))}\n\n`);
    return sent;
  }
}
