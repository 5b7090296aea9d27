import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { ExtensionManager, MAX_RUNTIME_MODELS, ModelNotFound, type ModelRouter } from '../../src/index.js';
import { calls } from '../fixtures/runtime-models/listing.js';

const START_LIMIT = 300;
let manager: ExtensionManager;
let router: ModelRouter;
const warnings: string[] = [];
const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));

beforeAll(async () => {
  manager = new ExtensionManager({ timeouts: { start: START_LIMIT } }, { env: () => undefined });
  await manager.discoverExtensions([resolve('test/fixtures/runtime-models')]);
  for (const name of Object.keys(manager.listAvailable())) await manager.loadExtension(name);
  router = manager.modelRouter;
});

afterAll(() => warn.mockRestore());
afterEach(() => void (warnings.length = 0));

const warningOf = (name: string) => warnings.filter((w) => w.startsWith(`Extension "${name}"`)).join('\n');

describe('models an extension adds at run time (listModels)', () => {
  it('routes nothing of them before start; after it, routes the good names like declared ones, and drops the rest with one warning', async () => {
    expect(router.findExtensionForModel('local-a')).toBeUndefined();
    const began = performance.now();
    await manager.startAllExtensions();
    expect(Object.values(manager.getSummary().states)).toEqual([0, 0, 6, 0, 0]);
    // The hanging hook cost the start time limit, no more.
    expect(performance.now() - began).toBeLessThan(START_LIMIT + 2000);

    expect(router.route('local-a')).toMatchObject({ extension: 'rt-good', match: 'exact', upstreamModel: 'local-a' });
    expect(router.route('rt-good:local-b')).toMatchObject({ extension: 'rt-good', match: 'qualified', upstreamModel: 'local-b' });
    expect(router.route('local-a', { capabilities: ['vision'] }).model).toMatchObject({ name: 'local-a', maxTokens: 4096, runtime: true });
    expect(router.getAvailableModels()['local-a']).toMatchObject({ extension: 'rt-good', capabilities: ['text', 'vision'], runtime: true });
    expect(router.getExtensionsByCapability('vision')).toEqual(['rt-good']);
    // Declared models keep their names: the declared entry (embeddings) and the declared pattern answer.
    expect(router.route('declared-one').model).toMatchObject({ capabilities: ['embeddings'] });
    expect(router.route('fixed-1')).toMatchObject({ match: 'pattern', model: { name: 'fixed-*' } });
    expect(router.findExtensionForModel('rt-anything')).toBeUndefined();
    expect(router.findExtensionForModel('bad-caps')).toBeUndefined();
    expect((await manager.getExtensionInfo('rt-good')).runtimeModels).toEqual(['local-a', 'local-b']);

    const good = warningOf('rt-good');
    expect(good).toContain('listModels() returned 6 unusable entries, dropped:');
    expect(good).toContain('#5 "rt-*" is a wildcard pattern');
    expect(good).toContain('#6 has a name of 600 characters (at most 512)');
    expect(good).toContain('#7 has a name that is a number, not a string');
    expect(good).toContain('#8 is null, not an object with a name');
    expect(good).toContain('and 1 more.');
    expect(good.length).toBeLessThan(1000);
    expect(calls['rt-good'].signals[0].aborted).toBe(false);
  });

  it('a hook that throws, hangs, answers garbage or an unreadable list leaves its declared models, with a warning', () => {
    for (const [name, declared] of [['rt-throws', 'throws-declared'], ['rt-hangs', 'hangs-declared'], ['rt-garbage', 'garbage-declared']]) {
      expect(manager.getState(name)).toBe('started');
      expect(router.findExtensionForModel(declared)).toBe(name);
    }
    expect(manager.getState('rt-proxy')).toBe('started');
  });

  it('says why in the warnings, without the secret', async () => {
    await manager.stopExtension('rt-throws');
    await manager.stopExtension('rt-hangs');
    await manager.stopExtension('rt-garbage');
    await manager.stopExtension('rt-proxy');
    await manager.startAllExtensions();
    expect(warningOf('rt-throws')).toBe('Extension "rt-throws": listModels() failed: listing failed with key ***; it routes its declared models only.');
    expect(warningOf('rt-hangs')).toBe(`Extension "rt-hangs": listModels() did not answer within ${START_LIMIT} ms (the start time limit); it routes its declared models only.`);
    expect(calls['rt-hangs'].signals.every((s) => s.aborted)).toBe(true);
    expect(warningOf('rt-garbage')).toBe('Extension "rt-garbage": listModels() returned a string, not a list of models; it routes its declared models only.');
    expect(warningOf('rt-proxy')).toMatch(/^Extension "rt-proxy": the answer of listModels\(\) could not be read \(no reading me\)/);
  });

  it(`reads at most ${MAX_RUNTIME_MODELS} entries of a huge answer`, () => {
    expect(router.findExtensionForModel(`m-${MAX_RUNTIME_MODELS - 1}`)).toBe('rt-huge');
    expect(router.findExtensionForModel(`m-${MAX_RUNTIME_MODELS}`)).toBeUndefined();
    expect(Object.keys(router.getAvailableModels()).filter((m) => m.startsWith('m-'))).toHaveLength(MAX_RUNTIME_MODELS);
  });

  it('stop takes them out of routing, the next start asks again, unload and reload forget them', async () => {
    const before = calls['rt-good'].count;
    await manager.stopExtension('rt-good');
    expect(() => router.route('local-a')).toThrow(ModelNotFound);
    expect(() => router.route('local-a')).toThrow(/Extension "rt-good" serves model "local-a" but is stopped/);
    await manager.startExtension('rt-good');
    expect(calls['rt-good'].count).toBe(before + 1);
    expect(router.findExtensionForModel('local-a')).toBe('rt-good');

    await manager.unloadExtension('rt-good');
    expect(router.explain('local-a').candidates).toEqual([]);
    await manager.loadExtension('rt-good');
    expect(router.findExtensionForModel('local-a')).toBeUndefined();
    expect(router.findExtensionForModel('declared-one')).toBe('rt-good');
    await manager.startExtension('rt-good');
    expect(router.findExtensionForModel('local-a')).toBe('rt-good');
  });
});
