import { ModelNotFound } from '../../errors/index.js';
import type { ChatRequest } from '../../provider/chat.interface.js';
import type { RouteResult } from '../routing.interface.js';
import type { ResolvedResilience } from './resilience.options.js';

/** How a route came into the plan. */
export type RouteSource = 'primary' | 'fallback' | 'same model';

/** One route the request may take, with the key its circuit breaker and attempt counts use. */
export interface PlannedRoute extends RouteResult {
  /** `extension:model` of the model entry (a pattern's name for a pattern match): bounded by what extensions declare. */
  key: string;
  via: RouteSource;
}

/** What the plan needs of the router: every routable match for a name, best first. */
export interface RouteFinder {
  routes(model: string, capabilities: string[]): RouteResult[];
  route(model: string, options: { capabilities: string[] }): RouteResult;
}

const planned = (route: RouteResult, via: RouteSource): PlannedRoute => ({
  extension: route.extension,
  model: route.model,
  match: route.match,
  upstreamModel: route.upstreamModel,
  instance: route.instance,
  key: `${route.extension}:${route.model.name}`,
  via,
});

/** At most this many fallback names per request: a caller cannot make one request fan out further. */
export const MAX_FALLBACKS = 10;

/**
 * The routes to try, in order: the primary; then the request's own `fallbacks` if it has them, else the
 * configured chain for the model (by the name asked, then by the model's own name); with neither, the
 * other extensions that serve the same model, in ranking order. Each must have the capabilities the
 * request needs; one route appears once. With no route at all, the primary's ModelNotFound is thrown.
 */
export function planRoutes(router: RouteFinder, request: ChatRequest, capabilities: string[], options: ResolvedResilience): PlannedRoute[] {
  const routes: PlannedRoute[] = [];
  const add = (route: RouteResult, via: RouteSource) => {
    // One route once: the same extension asked for the same model name.
    if (routes.some((r) => r.extension === route.extension && r.upstreamModel === route.upstreamModel)) return;
    routes.push(planned(route, via));
  };
  let primaryError: unknown;
  let primary: RouteResult | undefined;
  try {
    primary = router.route(request.model, { capabilities });
    add(primary, 'primary');
  } catch (error) {
    primaryError = error;
  }
  const own = (name: string) => (Object.hasOwn(options.fallbacks, name) ? options.fallbacks[name] : undefined);
  const chain = Array.isArray(request.fallbacks) ? request.fallbacks : (own(request.model) ?? (primary && own(primary.model.name)));
  if (chain?.length) {
    for (const name of chain.slice(0, MAX_FALLBACKS)) {
      if (typeof name !== 'string') continue;
      const found = router.routes(name, capabilities)[0];
      if (found) add(found, 'fallback');
    }
  } else if (options.sameModelFallback && primary) {
    for (const other of router.routes(request.model, capabilities)) add(other, 'same model');
  }
  if (!routes.length) throw primaryError ?? new ModelNotFound(`No route serves model "${request.model}".`, request.model, []);
  return routes;
}
