import { describe, expect, it } from '@jest/globals';
import { getMetadataStorage } from 'class-validator';
import { ExtensionManager } from '../../src/index.js';
import { appFixture } from '../support/boot.js';

/** How many classes class-validator holds validation rules for (the store is global and never shrinks). */
function validatedClasses(): number {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<unknown, unknown[]> };
  return storage.validationMetadatas.size;
}

async function discovered(): Promise<ExtensionManager> {
  const manager = new ExtensionManager();
  await manager.discoverExtensions([appFixture('reload')]);
  return manager;
}

describe('loading an extension again and again', () => {
  it('builds its config DTO class once, not once per load or per discovery', async () => {
    const cycle = async () => {
      const manager = await discovered();
      await manager.loadExtension('notebook');
      await manager.unloadExtension('notebook');
      await manager.loadExtension('notebook');
      await manager.unloadExtension('notebook');
    };
    await cycle();
    const before = validatedClasses();
    for (let i = 0; i < 200; i++) await cycle();
    expect(validatedClasses()).toBe(before);
  });
});
