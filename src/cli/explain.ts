import type { ModelInfo } from '../definition/definition.interface.js';
import { ModelNotFound } from '../errors/index.js';
import { ModelRouter } from '../routing/model-router.js';
import type { RoutableExtension, RouteExplanation } from '../routing/routing.interface.js';
import { table } from '../utils/text-table.js';
import type { Inspection } from './inspect.js';

/**
 * The router's own explanation over the discovered extensions, as if the ready ones were loaded:
 * an extension that would not load here shows why (`not ready: set OPENAI_API_KEY`).
 */
export function explainModel(inspection: Inspection, model: string, capabilities: string[]): { explanation: RouteExplanation; notFound?: string } {
  const extensions: RoutableExtension[] = inspection.extensions.map((entry, order) => ({
    definition: entry.definition,
    state: entry.ready ? 'loaded' : `not ready (${entry.notReady})`,
    order,
    handle: undefined,
    runtimeModels: [] as ModelInfo[],
  }));
  const router = new ModelRouter({ version: 0, extensions: () => extensions });
  const explanation = router.explain(model, { capabilities });
  if (explanation.chosen) return { explanation };
  try {
    router.route(model, { capabilities });
    return { explanation };
  } catch (error) {
    return { explanation, notFound: error instanceof ModelNotFound ? error.message : String(error) };
  }
}

export function explainText({ explanation, notFound }: ReturnType<typeof explainModel>): string {
  const asked = explanation.capabilities.length ? ` with capabilities ${explanation.capabilities.join(', ')}` : '';
  const head = explanation.chosen
    ? `Model "${explanation.model}"${asked}: served by extension ${explanation.chosen.extension} (model ${explanation.chosen.model}).`
    : `Model "${explanation.model}"${asked}: no extension would serve it here.`;
  const rows = [['EXTENSION', 'MODEL', 'MATCH', 'PRIORITY', 'COST', 'REASON']];
  for (const c of explanation.candidates) rows.push([c.extension, c.model, c.match, String(c.priority), c.costPerToken === undefined ? '-' : String(c.costPerToken), c.reason]);
  return [head, ...(explanation.candidates.length ? ['', table(rows)] : []), ...(notFound ? ['', notFound] : [])].join('\n');
}
