import { describe, expect, it } from '@jest/globals';
import { ExtensionManager } from '../../src/index.js';
import { appFixture } from '../support/boot.js';

/*
 * route() and findExtensionForModel() answer a name that is a hash hit (exact, alias, `ext:model`,
 * `ext/model`) from a route prebuilt with the table: it must be the first of routes(), which walks the
 * matches, for every such name of the routing fixture (priorities, costs, aliases, overlaps).
 */
describe('the prebuilt first route of a name', () => {
  it('is routes()[0] for every exact, alias and qualified name, and a copy for each caller', async () => {
    const manager = new ExtensionManager();
    for (const name of await manager.discoverExtensions([appFixture('routing')])) await manager.loadExtension(name);
    const router = manager.modelRouter;
    const names = new Set<string>();
    for (const [name, model] of Object.entries(router.getAvailableModels())) {
      for (const id of [name, ...model.aliases]) {
        names.add(id);
        for (const extension of manager.allRecords().map((r) => r.definition.name)) names.add(`${extension}:${id}`).add(`${extension}/${id}`);
      }
    }
    let checked = 0;
    for (const name of names) {
      const [best] = router.routes(name);
      if (!best) continue;
      checked++;
      expect(router.route(name)).toEqual(best);
      expect(router.findExtensionForModel(name)).toBe(best.extension);
    }
    expect(checked).toBeGreaterThan(10);
    const first = router.route('gpt-4o');
    (first as { extension: string }).extension = 'changed';
    expect(router.route('gpt-4o').extension).toBe('premium');
  });
});
