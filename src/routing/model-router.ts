import { ModelNotFound, ProviderError } from '../errors/index.js';
import type { ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse } from '../provider/chat.interface.js';
import { closeMatches } from '../utils/did-you-mean.js';
import { setOwn } from '../utils/own.js';
import { InFlightCalls, type DrainResult } from './in-flight-calls.js';
import { routedChat, routedChatStream, routedEmbed, type RouterCallOptions } from './provider-calls.js';
import { CircuitBreakers } from './resilience/circuit-breakers.js';
import { attemptStart } from './resilience/attempts.js';
import type { CallLogLine } from '../telemetry/call-telemetry.js';
import { Telemetry } from '../telemetry/telemetry.js';
import type { TelemetryOptions } from '../telemetry/telemetry.options.js';
import { resolveResilience, type ResilienceOptions, type ResolvedResilience } from './resilience/resilience.options.js';
import type { ChatStream } from './resilience/resilient-stream.js';
import { modelsOf, RoutingTable, type Match } from './routing-table.js';
import type { AvailableModel, RouteCandidate, RouteExplanation, RouteOptions, RouteResult, RoutingSource } from './routing.interface.js';
import { notFoundMessage, notRoutableMessage, rankReason } from './routing-messages.js';

/**
 * Longer names are refused before any lookup: no model is named so, and what clients send must cost
 * neither memory (the pattern cache keeps names) nor CPU (wildcard matching grows with the length).
 */
export const MAX_MODEL_NAME = 512;

const nameTooLong = (model: unknown) =>
  new ModelNotFound(
    typeof model === 'string' ? `Model names are at most ${MAX_MODEL_NAME} characters; this one has ${model.length}.` : `A model name must be a string, not ${model === null ? 'null' : typeof model}.`,
    typeof model === 'string' ? `${model.slice(0, 40)}...` : String(model),
    [],
  );

/** What a call still running when the shutdown's drain limit passes fails with. */
const drainedError = (extension: string | undefined, limitMs: number) =>
  new ProviderError(
    `The app is shutting down: this call to extension "${extension}" was still running when the drain limit (drainTimeoutMs, ${limitMs} ms) passed, so it was aborted. Retry it on another instance.`,
    extension,
    { status: 503, providerCode: 'shutting_down' },
  );

/** Where the router's telemetry goes, and what its gauges read of the manager. */
export interface RouterObservability {
  options?: () => TelemetryOptions | undefined;
  /** The last health answer of an extension, if known. */
  lastHealthy?: (name: string) => boolean | undefined;
  /** Prints a call's debug line (built only when called). */
  debug?: (line: () => CallLogLine) => void;
}

/** Only these states route: a failed or stopped extension leaves routing at once. */
const ROUTABLE = new Set(['loaded', 'started']);

const missing = (match: Match, wanted: string[]) => wanted.filter((c) => !match.candidate.capabilities.has(c));

/** Finds the extension that serves a model. Injectable; also `manager.modelRouter`. */
export class ModelRouter {
  private table?: RoutingTable;
  /** Every extension, routable or not: for explain() and for saying why a model does not route. */
  private everything?: RoutingTable;
  private version = -1;
  private readonly calls = new InFlightCalls();
  /** Circuit breakers per route (`extension:model`); their changes are logged. */
  readonly breakers: CircuitBreakers;

  /**
   * @param resilienceOptions read at each call (forRootAsync's options arrive after the router exists)
   * @param log where breaker changes are reported (a warning each)
   */
  /** Spans and metrics of the calls (see the README's "Observability"). */
  readonly telemetry: Telemetry;

  constructor(
    private readonly source: RoutingSource,
    private readonly resilienceOptions: () => ResilienceOptions | undefined = () => undefined,
    log: (message: string) => void = () => undefined,
    observability: RouterObservability = {},
  ) {
    this.breakers = new CircuitBreakers(
      () => this.resilience.breaker,
      (c) => {
        log(`Circuit breaker ${c.route}: ${c.from} -> ${c.to} (${c.reason})`);
        this.telemetry.breakerChanged(c.route, c.to);
      },
    );
    const telemetrySource = {
      extensions: () => this.source.extensions().map((e) => ({ name: e.definition.name, state: e.state })),
      lastHealthy: observability.lastHealthy ?? (() => undefined),
      breakers: () => this.breakers.snapshot(),
    };
    this.telemetry = new Telemetry(observability.options ?? (() => undefined), telemetrySource, attemptStart, observability.debug);
  }

  private resolved?: { from: ResilienceOptions | undefined; value: ResolvedResilience };

  /** The resilience options with their defaults. */
  get resilience(): ResolvedResilience {
    const from = this.resilienceOptions();
    const cached = this.resolved;
    if (cached && cached.from === from) return cached.value;
    const value = resolveResilience(from);
    this.resolved = { from, value };
    return value;
  }

  /** Calls running now: chat and embed until they settle, streams from their first `next()` until they end. */
  get inFlight(): number {
    return this.calls.size;
  }

  /**
   * Waits until no call is in flight (calls that begin meanwhile are served and waited for too). At
   * `limitMs` every call still running is aborted: the provider's signal aborts and the caller gets a
   * ProviderError (status 503, providerCode `shutting_down`) at once, even from a provider that ignores
   * its signal. Resolves either way; clears its timer. The Nest module calls it on shutdown.
   */
  drain(limitMs: number): Promise<DrainResult> {
    return this.calls.drain(limitMs, (call) => drainedError(call.extension, limitMs));
  }

  /** The extension that would serve the model, or undefined. */
  findExtensionForModel(model: string): string | undefined {
    if (typeof model !== 'string' || model.length > MAX_MODEL_NAME) return undefined;
    const table = this.current();
    return table.firstRoute(model)?.extension ?? table.lookup(model)[0]?.candidate.extension;
  }

  /** Every route that serves a model with the given capabilities, best first (the resilience's fallbacks). */
  routes(model: string, capabilities: string[] = []): RouteResult[] {
    if (typeof model !== 'string' || model.length > MAX_MODEL_NAME) return [];
    return this.current()
      .lookup(model)
      .filter((m) => missing(m, capabilities).length === 0)
      .map(({ candidate, kind, upstreamModel }) => ({ extension: candidate.extension, model: candidate.model, match: kind, upstreamModel, instance: candidate.record.handle }));
  }

  /** The extension, model, upstream model name and instance handle that serve a model with the given capabilities. */
  route(model: string, options?: RouteOptions): RouteResult {
    // No options object and no empty list made per call: a lookup by name allocates only its answer.
    const wanted = options?.capabilities;
    if (typeof model !== 'string' || model.length > MAX_MODEL_NAME) throw nameTooLong(model);
    const table = this.current();
    if (!wanted?.length) {
      const first = table.firstRoute(model);
      if (first) return { extension: first.extension, model: first.model, match: first.match, upstreamModel: first.upstreamModel, instance: first.instance };
    }
    const matches = table.lookup(model);
    const match = wanted?.length ? matches.find((m) => missing(m, wanted).length === 0) : matches[0];
    if (match) {
      const { candidate } = match;
      return { extension: candidate.extension, model: candidate.model, match: match.kind, upstreamModel: match.upstreamModel, instance: candidate.record.handle };
    }
    throw this.notFound(model, wanted ?? [], matches);
  }

  /**
   * Sends a chat request to the extension that serves `request.model` (every lookup kind), with the
   * provider's own model name. Tools need `function_calling`, image parts `vision`. An extension without
   * `chat()` is an UnsupportedOperationError; what the provider throws comes back as a ProviderError.
   */
  chat(request: ChatRequest, options?: RouterCallOptions): Promise<ChatResponse> {
    return routedChat(this, this.calls, request, options);
  }

  /** Like chat(), streamed; leaving the loop early, or aborting `options.signal`, aborts the provider's call. */
  chatStream(request: ChatRequest, options?: RouterCallOptions): ChatStream {
    return routedChatStream(this, this.calls, request, options);
  }

  /** Embeddings from the extension that serves `request.model` with the `embeddings` capability. */
  embed(request: EmbeddingRequest, options?: RouterCallOptions): Promise<EmbeddingResponse> {
    return routedEmbed(this, this.routeFn, this.calls, request, options);
  }

  private readonly routeFn = (model: string, options: RouteOptions) => this.route(model, options);

  /** Every candidate for a model, routable or not, and why it was chosen or rejected. */
  explain(model: string, options: RouteOptions = {}): RouteExplanation {
    const wanted = options.capabilities ?? [];
    if (typeof model !== 'string' || model.length > MAX_MODEL_NAME) return { model: String(model).slice(0, 40), capabilities: wanted, candidates: [] };
    let chosen: RouteCandidate | undefined;
    const candidates = this.all()
      .lookup(model)
      .map((match): RouteCandidate => {
        const { extension, model: info, record } = match.candidate;
        const lacking = missing(match, wanted);
        const entry: RouteCandidate = {
          extension,
          model: info.name,
          match: match.kind,
          state: record.state,
          priority: info.priority,
          costPerToken: info.costPerToken,
          missingCapabilities: lacking,
          chosen: false,
          reason: '',
        };
        const breaker = this.breakers.state(`${extension}:${info.name}`);
        if (breaker !== 'closed') entry.breaker = breaker;
        if (!ROUTABLE.has(record.state)) entry.reason = `rejected: extension is ${record.state}`;
        else if (lacking.length) entry.reason = `rejected: lacks capabilities ${lacking.join(', ')}`;
        else if (breaker === 'open') entry.reason = `rejected: circuit breaker open, chat calls skip it for ${this.breakers.retryInMs(`${extension}:${info.name}`)} ms more`;
        else if (chosen) entry.reason = `rejected: ${chosen.extension} ranks higher (${rankReason(chosen, entry)})`;
        else {
          entry.chosen = true;
          entry.reason = `chosen: ${match.kind} match, best by priority, then cost, then discovery order`;
          chosen = entry;
        }
        return entry;
      });
    return { model, capabilities: wanted, chosen: chosen && { extension: chosen.extension, model: chosen.model }, candidates };
  }

  /** Every model that routes now, with its extension and facts; a contested name shows the winner. */
  getAvailableModels(): Record<string, AvailableModel> {
    const result: Record<string, AvailableModel> = {};
    for (const { extension, model, capabilities } of this.current().candidates) {
      if (Object.hasOwn(result, model.name)) continue;
      setOwn(result, model.name, { ...model, extension, capabilities: [...capabilities] });
    }
    return result;
  }

  /** Routable extensions that have a capability (on the extension or on one of its models). */
  getExtensionsByCapability(capability: string): string[] {
    return this.source
      .extensions()
      .filter((r) => ROUTABLE.has(r.state))
      .filter((r) => r.definition.capabilities.includes(capability) || modelsOf(r).some((m) => m.capabilities.includes(capability)))
      .map((r) => r.definition.name);
  }

  /** Model names that several routable extensions serve, with those extensions. */
  conflicts(): Record<string, string[]> {
    return Object.fromEntries(this.current().conflicts());
  }

  /** The table, rebuilt only when the set of routable extensions may have changed. */
  private current(): RoutingTable {
    if (!this.table || this.version !== this.source.version) {
      const all = this.source.extensions();
      const known = new Set(all.map((r) => r.definition.name));
      this.table = new RoutingTable(all.filter((r) => ROUTABLE.has(r.state)), known);
      this.everything = undefined;
      this.version = this.source.version;
    }
    return this.table;
  }

  private all(): RoutingTable {
    this.current();
    return (this.everything ??= new RoutingTable(this.source.extensions()));
  }

  /**
   * Says why a model does not route: its extension is not loaded or failed, it lacks a capability, or
   * nothing serves it. Close matches are computed only when the message or `closeMatches` is read.
   */
  private notFound(model: string, wanted: string[], matches: Match[]): ModelNotFound {
    const table = this.current();
    const close = () => closeMatches(model, table.names(), 5);
    if (matches.length) {
      const served = [...new Set(matches.map((m) => m.candidate.extension))].join(', ');
      return new ModelNotFound(
        () =>
          `No extension serves model "${model}" with capabilities [${wanted.join(', ')}]: ${served} ${served.includes(',') ? 'serve' : 'serves'} it without them. Ask a model that has them (or ask for fewer capabilities); router.explain('${model}') shows every candidate.`,
        model,
        close,
      );
    }
    // A catch-all pattern of an idle extension says nothing useful about a typo: name only real matches.
    const idle = this.all().lookup(model).find((m) => m.kind !== 'pattern')?.candidate;
    if (idle) return new ModelNotFound(() => notRoutableMessage(model, idle.record), model, close);
    return new ModelNotFound(() => notFoundMessage(model, close()), model, close);
  }
}
