import { describe, expect, it } from '@jest/globals';
import { startOrder, withDependencies } from '../../src/dependencies/extension-graph.js';
import { ExtensionDependencyError } from '../../src/index.js';

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges).map(([name, dependsOn]) => [name, { name, dependsOn }]));

describe('extension dependencies', () => {
  const definitions = graph({ api: ['db', 'cache'], db: [], cache: ['db'], other: [] });

  it('selecting an extension selects what it depends on', () => {
    expect(withDependencies(['api'], definitions)).toEqual(['api', 'db', 'cache']);
  });

  it('orders starts so that dependencies come first, ties in the given order', () => {
    expect(startOrder(['api', 'db', 'cache', 'other'], definitions)).toEqual(['db', 'cache', 'api', 'other']);
  });

  it('names who needs a missing dependency', () => {
    expect(() => withDependencies(['a'], graph({ a: ['ghost'] }))).toThrow(
      'Extension "a" depends on extension "ghost", which was not discovered.',
    );
  });

  it('reports a cycle as its path', () => {
    const cyclic = graph({ a: ['b'], b: ['c'], c: ['a'] });
    const error = (() => {
      try {
        startOrder(['a', 'b', 'c'], cyclic);
      } catch (e) {
        return e as ExtensionDependencyError;
      }
    })();
    expect(error).toBeInstanceOf(ExtensionDependencyError);
    expect(error!.message).toBe('Extension dependencies form a cycle: a -> b -> c -> a. Remove one of these dependencies.');
  });
});
