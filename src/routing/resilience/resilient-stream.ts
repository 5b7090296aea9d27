import { ProviderError } from '../../errors/index.js';
import type { ChatChunk, ChatRequest, Usage } from '../../provider/chat.interface.js';
import { AttemptStream } from './attempt-stream.js';
import { RequestAttempts, type Attempt } from './attempts.js';
import { afterFailure, mayTry, withAttempts, type ResilientContext } from './resilient-chat.js';
import type { PlannedRoute } from './route-plan.js';
import { estimatedUsage, hasToken, prefillRequest, ReplayCursor, ReplayMismatch, supportsPrefill, type ContinuationMode } from './stream-continuation.js';

/** A routed stream: its chunks, and the attempts made so far (complete once the stream ends). */
export interface ChatStream extends AsyncIterable<ChatChunk> {
  readonly attempts: readonly Attempt[];
  /** The route the chunks come from now (the attempt in progress, or the one that answered). */
  readonly route?: { extension: string; model: string };
  [Symbol.asyncIterator](): AsyncGenerator<ChatChunk>;
}

const cut = (route: PlannedRoute) =>
  new ProviderError(`Extension "${route.extension}" (model ${route.upstreamModel}) ended its stream before the answer was complete (no finish reason).`, route.extension, { providerCode: 'stream_cut' });

/**
 * What a routed stream's caller does around it, without a generator of its own between the resilient
 * stream and its consumer (each one costs promises per chunk): `begin` on the first `next()` plans the
 * call (a routing error it throws is the stream's), `chunk` sees each chunk before the consumer does,
 * and `end` says how the stream ended: `done` (read to its end), `failed` (with the error), or `left`
 * (the consumer stopped early).
 */
export interface StreamHooks {
  begin(): ResilientContext;
  chunk(chunk: ChatChunk): void;
  end(outcome: 'done' | 'failed' | 'left', error?: unknown): void;
}

/**
 * A streamed chat over its planned routes. Before any content reached the caller, a failure restarts
 * on the next attempt or route unseen. After content: the next route continues from what was
 * delivered (a `prefill` model continues the text; another replays the request and the matching
 * start of its answer is skipped); a route that cannot continue coherently is passed over, and with
 * none left the stream fails with the first failure. A cut answer never ends as a normal one.
 */
export async function* resilientStream(hooks: StreamHooks, request: ChatRequest, list: Attempt[], now: { route?: { extension: string; model: string } } = {}): AsyncGenerator<ChatChunk> {
  let outcome: 'done' | 'failed' | 'left' = 'left';
  let failure: unknown;
  let attempts: RequestAttempts | undefined;
  /** The attempt under way, until it has an outcome. */
  let open: { route: PlannedRoute; began: number } | undefined;
  const seen = (chunk: ChatChunk) => (hooks.chunk(chunk), chunk);
  try {
    const context = hooks.begin();
    attempts = new RequestAttempts(context.options, context.breakers, context.call, list);
    const { routes, call } = context;
    let delivered = '';
    let sentTools = false;
    let sentAny = false;
    for (let index = 0; index < routes.length; index++) {
      const route = routes[index];
      if (sentTools) break;
      if (!mayTry(attempts, route)) continue;
      const starts: number[] = [];
      for (let retry = 0; ; retry++) {
        const began = Date.now();
        starts.push(began);
        open = { route, began };
        call.extension = route.extension;
        now.route = { extension: route.extension, model: route.upstreamModel };
        const mode: ContinuationMode = !sentAny ? 'fresh' : supportsPrefill(route) ? 'prefill' : 'replay';
        const replay: ReplayCursor | undefined = mode === 'replay' ? new ReplayCursor(delivered) : undefined;
        let finish = false;
        let usage: Usage | undefined;
        let answered = 0;
        // Before the first content, a chunk (the role) is held back: should the attempt fail, the caller
        // has seen nothing of it, and the headers and the model name the route that answers.
        const held: ChatChunk[] = [];
        try {
          for await (const raw of new AttemptStream(context, route, mode === 'prefill' ? prefillRequest(request, delivered) : request, attempts.scope)) {
            const chunk: ChatChunk | undefined = replay ? replay.feed(raw) : raw;
            if (!chunk) continue;
            if (!sentAny && !hasToken(chunk) && !chunk.finishReason && !chunk.usage) {
              held.push(chunk);
              continue;
            }
            if (held.length) {
              for (const early of held.splice(0)) yield seen(early);
              // The caller may have been away while the held chunks waited: a call aborted meanwhile ends here.
              call.throwIfAborted();
            }
            // The caller has its role chunk already: a continuation sends only what is new.
            if (mode !== 'fresh' && chunk.delta?.role && !chunk.delta.content && !chunk.delta.toolCalls?.length && !chunk.finishReason && !chunk.usage) continue;
            if (chunk.usage) usage = chunk.usage;
            if (chunk.finishReason) finish = true;
            const text: string = chunk.delta?.content ?? '';
            delivered += text;
            answered += text.length;
            if (chunk.delta?.toolCalls?.length) sentTools = true;
            sentAny ||= Boolean(text) || Boolean(chunk.delta?.toolCalls?.length);
            if (sentAny) attempts.answerStarted();
            yield seen(chunk);
          }
          if (!finish) throw cut(route);
          open = undefined;
          attempts.succeeded(route, began);
          if (!usage) yield seen({ delta: {}, usage: estimatedUsage(request, mode === 'prefill' ? answered : delivered.length) });
          outcome = 'done';
          return;
        } catch (thrown) {
          open = undefined;
          // The answer was complete (its finish reason came) when the provider failed: it stands, and is
          // neither repeated nor continued.
          if (finish && !call.drainError && !context.callerSignal.aborted) {
            attempts.succeeded(route, began);
            if (!usage) yield seen({ delta: {}, usage: estimatedUsage(request, mode === 'prefill' ? answered : delivered.length) });
            outcome = 'done';
            return;
          }
          if (thrown instanceof ReplayMismatch) {
            attempts.failed(route, new ProviderError(`Extension "${route.extension}" could not continue the answer: ${thrown.message}.`, route.extension, { providerCode: 'continuation_mismatch' }), began, context.callerSignal);
            break;
          }
          // A half-sent tool call cannot be continued: the stream ends with the failure.
          if ((await afterFailure(context, attempts, { route, index, retry, began, starts, endNow: sentTools }, thrown)) === 'next') break;
        }
      }
    }
    throw withAttempts(attempts.failure(), attempts);
  } catch (error) {
    outcome = 'failed';
    failure = error;
    throw error;
  } finally {
    // The consumer left while an attempt was under way (a stream closed at a yield): no verdict on the
    // route, and a breaker's probe must not stay taken.
    if (open) attempts!.abandoned(open.route, open.began);
    attempts?.end();
    hooks.end(outcome, failure);
  }
}
