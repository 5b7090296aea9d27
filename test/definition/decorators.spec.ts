import { describe, expect, it } from '@jest/globals';
import { definitionFromClass } from '../../src/definition/decorator-definition.js';
import { Capability, ConfigField, Extension, ExtensionValidationError, Model, Requires } from '../../src/index.js';

@Model('first', { capabilities: ['text'], maxTokens: 10 })
@ConfigField('apiKey', { required: true, envVar: 'KEY' })
@Extension({ name: 'upside-down', version: '2.1.0', description: 'Extension is not the last decorator', dependsOn: ['base'] })
@Model('second', { costPerToken: 0.5, aliases: ['two'], priority: 3, family: 'test' })
@Requires('semver@^7', 'yaml>=2.0')
@Capability('streaming', 'function_calling')
@ConfigField('timeout', { type: 'integer', default: 60, min: 10, max: 300 })
class UpsideDown {}

describe('decorators', () => {
  it('are read in any order, with models and fields in source order', () => {
    const definition = definitionFromClass(UpsideDown, '/x/upside.ts', '/x');
    expect(definition.name).toBe('upside-down');
    expect(definition.version).toBe('2.1.0');
    expect(definition.style).toBe('decorator');
    expect(definition.dependsOn).toEqual(['base']);
    expect(definition.models.map((m) => m.name)).toEqual(['first', 'second']);
    expect(definition.models[1]).toMatchObject({ costPerToken: 0.5, aliases: ['two'], priority: 3, family: 'test', capabilities: [] });
    expect(definition.models[0]).toMatchObject({ maxTokens: 10, priority: 0, aliases: [] });
    expect(definition.configFields.map((f) => f.name)).toEqual(['apiKey', 'timeout']);
    expect(definition.configFields[0]).toMatchObject({ required: true, envVar: 'KEY', secret: true, type: 'string' });
    expect(definition.configFields[1]).toMatchObject({ type: 'integer', default: 60, min: 10, max: 300, secret: false });
    expect(definition.capabilities).toEqual(['streaming', 'function_calling']);
    expect(definition.requires).toEqual([
      { spec: 'semver@^7', name: 'semver', range: '^7' },
      { spec: 'yaml>=2.0', name: 'yaml', range: '>=2.0' },
    ]);
  });

  it('defaults the version to 1.0.0 and loads the class itself', async () => {
    @Extension({ name: 'plain' })
    class Plain {}
    const definition = definitionFromClass(Plain, '/x/plain.ts', '/x');
    expect(definition.version).toBe('1.0.0');
    await expect(definition.loadClass()).resolves.toBe(Plain);
  });

  it('reports every problem of a decorated class at once, in the words the author wrote', () => {
    @Extension({ name: 'Bad Name', version: 'one' })
    @Model('m', { maxTokens: -5 })
    @ConfigField('timeout', { type: 'integer', default: 'soon', min: 10, max: 1 })
    @Requires('not a spec!')
    class Broken {}
    let error: ExtensionValidationError | undefined;
    try {
      definitionFromClass(Broken, '/x/broken.ts', '/x');
    } catch (e) {
      error = e as ExtensionValidationError;
    }
    expect(error).toBeInstanceOf(ExtensionValidationError);
    expect(error!.code).toBe('EXT_ERR_VALIDATION');
    expect(error!.file).toBe('/x/broken.ts');
    expect(error!.issues.map((i) => i.field).sort()).toEqual(
      ["@ConfigField('timeout').default", "@ConfigField('timeout').min", '@Model #0.maxTokens', '@Requires[0]', 'name', 'version'].sort(),
    );
    expect(error!.message).toContain('Invalid extension "Bad Name" in /x/broken.ts (6 problems)');
    expect(error!.message).toContain('@Model #0.maxTokens: must be a positive integer');
  });
});
