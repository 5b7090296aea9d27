import { beforeEach, describe, expect, it } from '@jest/globals';
import { ExtensionManager, getAvailableModels, getExtensionsByCapability, ModelNotFound } from '../../src/index.js';
import { appFixture } from '../support/boot.js';

async function managerWith(names?: string[]): Promise<ExtensionManager> {
  const manager = new ExtensionManager();
  const discovered = await manager.discoverExtensions([appFixture('routing')]);
  for (const name of names ?? discovered) await manager.loadExtension(name);
  return manager;
}

describe('ModelRouter', () => {
  let manager: ExtensionManager;
  beforeEach(async () => {
    manager = await managerWith();
  });

  it('picks by priority, then lower cost, then discovery order', () => {
    const router = manager.modelRouter;
    expect(router.findExtensionForModel('gpt-4o')).toBe('premium');
    expect(router.route('gpt-4o').extension).toBe('premium');
    expect(router.findExtensionForModel('claude-3')).toBe('twin');
    expect(manager.findExtensionForModel('gpt-4o')).toBe('premium');
  });

  it('filters by capabilities of the model and of its extension', () => {
    const router = manager.modelRouter;
    expect(router.route('gpt-4o', { capabilities: ['vision'] }).extension).toBe('cheap');
    expect(router.route('gpt-4o', { capabilities: ['vision', 'function_calling'] }).extension).toBe('pricey');
    expect(() => router.route('gpt-4o', { capabilities: ['telepathy'] })).toThrow(
      'No extension serves model "gpt-4o" with capabilities [telepathy]: premium, cheap, pricey serve it without them.',
    );
  });

  it('finds by exact name before alias, alias before qualified id, and qualified before patterns', () => {
    const router = manager.modelRouter;
    expect(router.route('mini')).toMatchObject({ extension: 'cheap', model: { name: 'gpt-4o-mini' } });
    expect(router.route('cheap:gpt-4o').extension).toBe('cheap');
    expect(router.route('pricey/gpt-4o').extension).toBe('pricey');
    expect(router.route('local:anything-at-all')).toMatchObject({ extension: 'local', model: { name: '*' } });
    expect(router.route('claude')).toMatchObject({ extension: 'twin', model: { name: 'claude-3' } });
  });

  it('finds a qualified id when one extension is loaded', async () => {
    const single = (await managerWith(['cheap'])).modelRouter;
    expect(single.route('cheap:gpt-4o')).toMatchObject({ extension: 'cheap', model: { name: 'gpt-4o' } });
  });

  it('takes the most specific pattern', () => {
    const router = manager.modelRouter;
    expect(router.route('gpt-4-turbo')).toMatchObject({ extension: 'pricey', model: { name: 'gpt-4*' } });
    expect(router.route('llama-3-70b').model.name).toBe('llama-3-*');
    expect(router.route('llama-2').model.name).toBe('llama*');
    expect(router.route('mistral').model.name).toBe('*');
  });

  it('returns the stable handle of the extension with the route', () => {
    const { instance } = manager.modelRouter.route('gpt-4o');
    expect(instance).toBe(manager.getHandle('premium'));
    expect(instance).toBeInstanceOf(manager.getInstance<object>('premium')!.constructor as new () => unknown);
  });

  it('stops routing to an extension the moment it stops, and to a failed one', async () => {
    await manager.startAllExtensions();
    await manager.stopExtension('premium');
    expect(manager.modelRouter.findExtensionForModel('gpt-4o')).toBe('cheap');
    await manager.unloadExtension('cheap');
    expect(manager.modelRouter.findExtensionForModel('gpt-4o')).toBe('pricey');
  });

  it('throws ModelNotFound listing close matches for an unknown model', async () => {
    const router = (await managerWith(['premium', 'cheap'])).modelRouter;
    const error = (() => {
      try {
        router.route('gtp-4o');
      } catch (e) {
        return e as ModelNotFound;
      }
    })()!;
    expect(error).toBeInstanceOf(ModelNotFound);
    expect(error.code).toBe('EXT_ERR_MODEL_NOT_FOUND');
    expect(error.closeMatches).toContain('gpt-4o');
    expect(error.message).toMatch(/^No loaded extension serves model "gtp-4o"\. Close matches: gpt-4o/);
  });

  it('explains every candidate and why it was chosen or rejected', async () => {
    await manager.startAllExtensions();
    await manager.stopExtension('twin');
    const explanation = manager.modelRouter.explain('gpt-4o', { capabilities: ['vision'] });
    expect(explanation.chosen).toEqual({ extension: 'cheap', model: 'gpt-4o' });
    expect(explanation.candidates.map((c) => [c.extension, c.chosen, c.reason])).toEqual([
      ['premium', false, 'rejected: lacks capabilities vision'],
      ['cheap', true, 'chosen: exact match, best by priority, then cost, then discovery order'],
      ['pricey', false, 'rejected: cheap ranks higher (cost 0.000001 < 0.005)'],
    ]);
    const stopped = manager.modelRouter.explain('claude-3').candidates;
    expect(stopped.map((c) => [c.extension, c.reason])).toEqual([
      ['twin', 'rejected: extension is stopped'],
      ['twin-late', 'chosen: exact match, best by priority, then cost, then discovery order'],
    ]);
  });

  it('lists conflicts, available models and extensions by capability', () => {
    const router = manager.modelRouter;
    expect(router.conflicts()).toEqual({ 'gpt-4o': ['premium', 'cheap', 'pricey'], 'claude-3': ['twin', 'twin-late'] });
    const models = getAvailableModels(manager);
    expect(models['gpt-4o']).toMatchObject({ extension: 'premium', capabilities: ['text'], priority: 5, costPerToken: 0.01 });
    expect(models['gpt-4*']).toMatchObject({ extension: 'pricey', capabilities: ['text', 'function_calling'] });
    expect(Object.keys(models)).not.toContain('mini');
    expect(getExtensionsByCapability(manager, 'vision')).toEqual(['cheap', 'pricey']);
    expect(router.getExtensionsByCapability('offline')).toEqual(['local']);
  });
});
