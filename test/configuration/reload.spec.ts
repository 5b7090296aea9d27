import { describe, expect, it } from '@jest/globals';
import { getMetadataStorage } from 'class-validator';
import { ExtensionManager } from '../../src/index.js';
import { appFixture } from '../support/boot.js';
import type { Notebook } from '../fixtures/apps/reload/notebook.js';

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

  it('gives every load its own copy of list and object defaults', async () => {
    const manager = await discovered();
    const first = (await manager.loadExtension('notebook')) as Notebook;
    first.config.tags.push('mutated');
    first.config.layout.columns = 99;
    first.config.layout.margins.top = 99;
    await manager.unloadExtension('notebook');

    const second = (await manager.loadExtension('notebook')) as Notebook;
    expect(second.config).toEqual({ tags: ['draft', 'inbox'], layout: { columns: 2, margins: { top: 1 } }, pages: 10 });
  });

  it('gives every load its own copy of plain explicit values, so the host options stay as written', async () => {
    const options = { tags: ['from-host'], layout: { columns: 3, margins: { top: 0 } } };
    const manager = await discovered();
    const first = (await manager.loadExtension('notebook', options)) as Notebook;
    first.config.tags.push('mutated');
    first.config.layout.margins.top = 42;
    await manager.unloadExtension('notebook');
    expect(options).toEqual({ tags: ['from-host'], layout: { columns: 3, margins: { top: 0 } } });
    const second = (await manager.loadExtension('notebook', options)) as Notebook;
    expect(second.config.tags).toEqual(['from-host']);
  });

  it('passes an explicit value that is not plain data (a client instance) as it is', async () => {
    class Client {
      constructor(readonly url: string) {}
    }
    const client = new Client('http://localhost');
    const manager = await discovered();
    const instance = (await manager.loadExtension('notebook', { layout: { columns: 1, margins: { top: 0 }, client } })) as Notebook;
    expect((instance.config.layout as unknown as { client: Client }).client).toBe(client);
  });
});
