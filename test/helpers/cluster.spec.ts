import { describe, expect, it } from '@jest/globals';
import {
  createClusterWithExtensions,
  ExtensionManager,
  startClusterWithExtensions,
  stopClusterWithExtensions,
  validateAllDependencies,
} from '../../src/index.js';
import { appFixture } from '../support/boot.js';

describe('the seed helpers', () => {
  it('Method 1: an ExtensionManager on its own discovers, loads, starts and stops', async () => {
    const manager = new ExtensionManager();
    expect(await manager.discoverExtensions([appFixture('routing')])).toEqual(['cheap', 'local', 'premium', 'pricey', 'twin', 'twin-late']);
    expect(Object.keys(manager.listAvailable())).toHaveLength(6);
    await manager.loadExtension('cheap');
    await manager.startAllExtensions();
    expect(manager.getState('cheap')).toBe('started');
    expect(manager.findExtensionForModel('mini')).toBe('cheap');
    await manager.stopAllExtensions();
    expect(manager.getState('cheap')).toBe('stopped');
    expect(validateAllDependencies(manager).cheap).toEqual({ valid: true, missing: [], mismatched: [] });
  });

  it('Method 2: a cluster context with the extensions loaded, started and stopped by the helpers', async () => {
    const { cluster, manager } = await createClusterWithExtensions({
      searchPaths: [appFixture('lifecycle')],
      extensions: ['cache'],
      extensionConfigs: { cache: { size: 2 } },
      imports: [(await import('../fixtures/journal.js')).JournalModule],
      logger: false,
    });
    expect(manager.listLoaded()).toEqual(['base', 'cache']);
    expect(manager.getState('cache')).toBe('loaded');
    await startClusterWithExtensions(cluster, manager);
    expect(manager.getState('cache')).toBe('started');
    await stopClusterWithExtensions(cluster, manager);
    expect(manager.getState('cache')).toBe('stopped');
    expect(manager.getState('base')).toBe('stopped');
  });
});
