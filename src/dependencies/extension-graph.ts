import type { ExtensionDefinition } from '../definition/definition.interface.js';
import { ExtensionDependencyError } from '../errors/index.js';

type Definitions = ReadonlyMap<string, Pick<ExtensionDefinition, 'name' | 'dependsOn'>>;

/** The selected extensions plus everything they depend on, in discovery order. */
export function withDependencies(selected: string[], definitions: Definitions): string[] {
  const result = new Set<string>();
  const visit = (name: string, neededBy?: string) => {
    if (result.has(name)) return;
    const definition = definitions.get(name);
    if (!definition) {
      if (!neededBy) return; // an unknown selected name is reported by the caller, with close matches
      throw new ExtensionDependencyError(
        `Extension "${neededBy}" depends on extension "${name}", which was not discovered. Add the folder that holds "${name}" to searchPaths, or remove it from the dependencies of "${neededBy}".`,
        neededBy,
        [name],
      );
    }
    result.add(name);
    for (const dependency of definition.dependsOn) visit(dependency, name);
  };
  for (const name of selected) visit(name);
  return [...definitions.keys()].filter((name) => result.has(name));
}

/**
 * Orders extensions so that each comes after what it depends on (ties keep the given order). A cycle
 * is an ExtensionDependencyError showing its path, `a -> b -> a`.
 */
export function startOrder(names: string[], definitions: Definitions): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' -> ');
      throw new ExtensionDependencyError(
        `Extension dependencies form a cycle: ${cycle}. Remove one of these dependencies.`,
        name,
        [],
      );
    }
    state.set(name, 'visiting');
    for (const dependency of definitions.get(name)?.dependsOn ?? []) {
      if (names.includes(dependency)) visit(dependency, [...path, name]);
    }
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of names) visit(name, []);
  return order;
}
