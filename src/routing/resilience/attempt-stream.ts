import { setImmediate as yieldTurn } from 'node:timers/promises';
import type { ChatChunk, ChatRequest } from '../../provider/chat.interface.js';
import { LinkedAbort, signalOptions, type AbortSource } from '../../utils/linked-abort.js';
import { SignalRace } from '../../utils/signal-race.js';
import { attemptTimer, idleWatch } from './attempts.js';
import { forRoute, type ResilientContext } from './resilient-chat.js';
import type { PlannedRoute } from './route-plan.js';
import { hasToken, wellFormed } from './stream-continuation.js';

/** Chunks between two turns given to the event loop. */
const YIELD_EVERY = 64;

type Timer = { clear(): void };

/**
 * One attempt's chunks, under its time limits: `responseMs` until the first chunk, `firstTokenMs` until
 * the first content or tool delta, `idleMs` between chunks (counted only while waiting on the provider,
 * not while the consumer reads). Malformed chunks are skipped. Whatever ends it early (a failure, the
 * consumer's `return()`) aborts the provider's signal and closes its stream; its timers and listener go
 * when it ends, however it ends.
 *
 * An iterator of its own rather than an async generator: it hands on the provider's own results, with
 * no further promises per chunk. The attempt starts on the first `next()`; `next()` is not called again
 * before the last one settled (the resilient stream reads it with `for await`).
 */
export class AttemptStream implements AsyncIterableIterator<ChatChunk> {
  private local?: LinkedAbort;
  private response?: Timer;
  private firstToken?: Timer;
  private idle?: ReturnType<typeof idleWatch>;
  private race?: SignalRace;
  private iterator?: AsyncIterator<ChatChunk>;
  private begun = false;
  private chunks = 0;
  private closed = false;

  constructor(
    private readonly context: ResilientContext,
    private readonly route: PlannedRoute,
    private readonly request: ChatRequest,
    private readonly parent: AbortSource,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  private start(): AsyncIterator<ChatChunk> {
    const { context, route } = this;
    const local = (this.local = new LinkedAbort(this.parent));
    const limits = context.options.timeoutsFor(route.extension, route.upstreamModel);
    this.response = attemptTimer(local, limits.responseMs, route, 'did not begin its stream', 'responseMs');
    this.firstToken = attemptTimer(local, limits.firstTokenMs, route, 'sent no token', 'firstTokenMs');
    this.idle = idleWatch(local, limits.idleMs, route);
    // One listener for the whole attempt (a drain or the caller reach it through `parent`): each chunk
    // races it, with no listener or timer of its own.
    this.race = new SignalRace(local);
    const provider = context.provider(route, 'chatStream');
    return (this.iterator = provider.chatStream!(forRoute(this.request, route), signalOptions(local))[Symbol.asyncIterator]());
  }

  async next(): Promise<IteratorResult<ChatChunk>> {
    if (this.closed) return { done: true, value: undefined };
    try {
      const iterator = this.iterator ?? this.start();
      const idle = this.idle!;
      for (;;) {
        if (this.begun) idle.waiting();
        let step: IteratorResult<ChatChunk>;
        try {
          step = await this.race!.wait(iterator.next());
        } finally {
          idle.received();
        }
        if (step.done) {
          this.close(true);
          return { done: true, value: undefined };
        }
        if (!this.begun) this.response!.clear();
        this.begun = true;
        // A provider whose chunks come without waiting (a cache, a mock) would hold the event loop: yield a turn now and then.
        if (++this.chunks % YIELD_EVERY === 0) await yieldTurn();
        if (!wellFormed(step.value)) continue;
        if (hasToken(step.value)) this.firstToken!.clear();
        return step;
      }
    } catch (error) {
      this.close(false);
      throw error;
    }
  }

  /** The consumer stopped reading: the provider's call is aborted and its stream closed. */
  async return(): Promise<IteratorResult<ChatChunk>> {
    this.close(false);
    return { done: true, value: undefined };
  }

  private close(finished: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.race?.dispose();
    this.local?.dispose();
    this.response?.clear();
    this.firstToken?.clear();
    this.idle?.clear();
    if (finished || !this.local) return;
    this.local.abort(new Error('the attempt ended before its stream did'));
    const iterator = this.iterator;
    if (iterator) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
