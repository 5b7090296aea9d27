import type { RouteCandidate, RoutableExtension } from './routing.interface.js';

/** Why the first candidate outranks another, for explain(). */
export function rankReason(winner: RouteCandidate, loser: RouteCandidate): string {
  if (winner.priority !== loser.priority) return `priority ${winner.priority} > ${loser.priority}`;
  if ((winner.costPerToken ?? Infinity) !== (loser.costPerToken ?? Infinity)) return `cost ${winner.costPerToken} < ${loser.costPerToken ?? 'unset'}`;
  return 'discovered earlier';
}

/** Names are echoed back to whoever sent them; keep what a client sent short in messages. */
export function shown(model: string): string {
  return JSON.stringify(model.length > 120 ? `${model.slice(0, 117)}...` : model);
}

export function notFoundMessage(model: string, close: string[]): string {
  const hint = close.length ? ` Close matches: ${close.join(', ')}.` : ' No routable model is close.';
  return `No loaded extension serves model ${shown(model)}.${hint} Check the model name, or load the extension that serves it.`;
}

/** A model whose extension exists but does not route: say which, in what state, and what to do. */
export function notRoutableMessage(model: string, record: RoutableExtension): string {
  const name = record.definition.name;
  const env = record.definition.configFields.filter((f) => f.required && f.envVar).map((f) => f.envVar);
  const needs = env.length ? ` (it needs ${env.join(', ')})` : '';
  switch (record.state) {
    case 'failed': {
      const unset = (record.error as { unsetSettings?: string[] } | undefined)?.unsetSettings;
      if (unset) return `Extension "${name}" serves model ${shown(model)} but is not configured: set ${unset.join(', ')} and restart the app (or load it again: manager.loadExtension('${name}')).`;
      return `Extension "${name}" serves model ${shown(model)} but failed: ${record.error?.message ?? 'unknown error'}\nFix it, then load it again (manager.loadExtension('${name}')).`;
    }
    case 'stopped':
      return `Extension "${name}" serves model ${shown(model)} but is stopped. Start it (manager.startExtension('${name}')).`;
    default:
      return `Extension "${name}" serves model ${shown(model)} but is not loaded${needs}. Add it to ExtensionsModule.forRoot({ extensions }) or load it (manager.loadExtension('${name}')).`;
  }
}
