import { ModelNotFound } from '../errors/index.js';
import type { ExtensionManager } from '../manager/extension-manager.js';
import type { ExtensionRecord } from '../manager/manager.interface.js';
import { closeMatches } from '../utils/did-you-mean.js';
import { RoutingTable, type Match } from './routing-table.js';
import type { AvailableModel, RouteCandidate, RouteExplanation, RouteOptions, RouteResult } from './routing.interface.js';

/** Only these states route: a failed or stopped extension leaves routing at once. */
const ROUTABLE = new Set(['loaded', 'started']);

const missing = (match: Match, wanted: string[]) => wanted.filter((c) => !match.candidate.capabilities.has(c));

/** Finds the extension that serves a model. Injectable; also `manager.modelRouter`. */
export class ModelRouter {
  private table?: RoutingTable;
  private tableVersion = -1;

  constructor(private readonly manager: ExtensionManager) {}

  /** The extension that would serve the model, or undefined. */
  findExtensionForModel(model: string): string | undefined {
    return this.current().lookup(model)[0]?.candidate.extension;
  }

  /** The extension, model and instance that serve a model with the given capabilities. */
  route(model: string, options: RouteOptions = {}): RouteResult {
    const wanted = options.capabilities ?? [];
    const matches = this.current().lookup(model);
    const match = matches.find((m) => missing(m, wanted).length === 0);
    if (match) return { extension: match.candidate.extension, model: match.candidate.model, instance: match.candidate.record.instance };
    throw this.notFound(model, wanted, matches);
  }

  /** Every candidate for a model, routable or not, and why it was chosen or rejected. */
  explain(model: string, options: RouteOptions = {}): RouteExplanation {
    const wanted = options.capabilities ?? [];
    const matches = new RoutingTable(this.manager.allRecords()).lookup(model);
    let chosen: RouteCandidate | undefined;
    const candidates = matches.map((match): RouteCandidate => {
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
      if (!ROUTABLE.has(record.state)) entry.reason = `rejected: extension is ${record.state}`;
      else if (lacking.length) entry.reason = `rejected: lacks capabilities ${lacking.join(', ')}`;
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
      if (result[model.name]) continue;
      result[model.name] = { ...model, extension, capabilities: [...capabilities] };
    }
    return result;
  }

  /** Routable extensions that have a capability (on the extension or on one of its models). */
  getExtensionsByCapability(capability: string): string[] {
    return this.routableRecords()
      .filter((r) => r.definition.capabilities.includes(capability) || r.definition.models.some((m) => m.capabilities.includes(capability)))
      .map((r) => r.definition.name);
  }

  /** Model names that several routable extensions serve, with those extensions. */
  conflicts(): Record<string, string[]> {
    return Object.fromEntries(this.current().conflicts());
  }

  private routableRecords(): ExtensionRecord[] {
    return this.manager.allRecords().filter((r) => ROUTABLE.has(r.state));
  }

  /** The table, rebuilt only when the set of routable extensions may have changed. */
  private current(): RoutingTable {
    if (!this.table || this.tableVersion !== this.manager.changeCount) {
      this.table = new RoutingTable(this.routableRecords());
      this.tableVersion = this.manager.changeCount;
    }
    return this.table;
  }

  private notFound(model: string, wanted: string[], matches: Match[]): ModelNotFound {
    const names = this.current().candidates.flatMap((c) => [c.model.name, ...c.model.aliases]);
    const close = closeMatches(model, names, 5);
    if (matches.length) {
      const served = [...new Set(matches.map((m) => m.candidate.extension))].join(', ');
      return new ModelNotFound(
        `No extension serves model "${model}" with capabilities [${wanted.join(', ')}]: ${served} serve it without them. Ask for fewer capabilities, or load an extension that has them (router.explain('${model}') shows every candidate).`,
        model,
        close,
      );
    }
    const hint = close.length ? ` Close matches: ${close.join(', ')}.` : ' No routable model is close.';
    return new ModelNotFound(`No loaded extension serves model "${model}".${hint} Check the model name, or load the extension that serves it.`, model, close);
  }
}

function rankReason(winner: RouteCandidate, loser: RouteCandidate): string {
  if (winner.priority !== loser.priority) return `priority ${winner.priority} > ${loser.priority}`;
  if ((winner.costPerToken ?? Infinity) !== (loser.costPerToken ?? Infinity)) return `cost ${winner.costPerToken} < ${loser.costPerToken ?? 'unset'}`;
  return 'discovered earlier';
}
