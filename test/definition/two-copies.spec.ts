import { describe, expect, it, jest } from '@jest/globals';
import { definitionFromClass } from '../../src/definition/decorator-definition.js';
import { resolve } from 'node:path';
import { discover } from '../../src/discovery/discover.js';
import * as ours from '../../src/index.js';

describe('two copies of the library in one process', () => {
  it('reads decorators applied by another copy (an extension importing the package by name)', async () => {
    let other: typeof ours | undefined;
    await jest.isolateModulesAsync(async () => {
      other = await import('../../src/index.js');
    });
    expect(other!.Extension).not.toBe(ours.Extension);

    @other!.Extension({ name: 'from-another-copy' })
    @other!.Model('m1', { capabilities: ['text'] })
    @other!.ConfigField('apiKey', { required: true })
    class Foreign {}

    const definition = definitionFromClass(Foreign, '/x/foreign.ts', '/x');
    expect(definition.name).toBe('from-another-copy');
    expect(definition.models.map((m) => m.name)).toEqual(['m1']);
    expect(definition.configFields[0]).toMatchObject({ name: 'apiKey', required: true, secret: true });
  });

  it('discovers an extension that imports the package by name (the built copy)', async () => {
    const result = await discover([resolve('test/fixtures/discovery/by-name')]);
    expect(result.problems).toEqual([]);
    expect(result.definitions.map((d) => [d.name, d.description, d.models[0].name])).toEqual([['outside', 'decorated by another copy', 'outside-model']]);
  });
});
