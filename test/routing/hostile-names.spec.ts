import { beforeAll, describe, expect, it } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ExtensionManager, ModelNotFound } from '../../src/index.js';
import { SHIPPED_EXTENSIONS } from '../../src/app/app.module.js';
import { appFixture } from '../support/boot.js';

async function managerWith(path: string, load?: string[]): Promise<ExtensionManager> {
  const manager = new ExtensionManager();
  const discovered = await manager.discoverExtensions([appFixture(path)]);
  for (const name of load ?? discovered) await manager.loadExtension(name);
  return manager;
}

const notFound = (fn: () => unknown): ModelNotFound => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ModelNotFound) return error;
    throw error;
  }
  throw new Error('expected ModelNotFound');
};

describe('qualified ids and what route() tells the caller', () => {
  let manager: ExtensionManager;
  beforeAll(async () => {
    manager = await managerWith('routing');
  });

  it('answers a qualified id that its extension does not serve with ModelNotFound, never another extension\'s wildcard', () => {
    // `local` serves `*`; before, premium:gpt-5 fell through to it.
    const error = notFound(() => manager.modelRouter.route('premium:gpt-5'));
    expect(error.model).toBe('premium:gpt-5');
    expect(manager.modelRouter.findExtensionForModel('premium/gpt-5')).toBeUndefined();
    // A prefix that names no extension is an ordinary model name, which the wildcard serves.
    expect(manager.modelRouter.route('nobody:gpt-5').extension).toBe('local');
  });

  it('says how the name matched and which model name to send upstream', () => {
    const route = (model: string) => {
      const { extension, match, upstreamModel } = manager.modelRouter.route(model);
      return { extension, match, upstreamModel };
    };
    expect(route('gpt-4o-mini')).toEqual({ extension: 'cheap', match: 'exact', upstreamModel: 'gpt-4o-mini' });
    expect(route('mini')).toEqual({ extension: 'cheap', match: 'alias', upstreamModel: 'gpt-4o-mini' });
    expect(route('cheap:mini')).toEqual({ extension: 'cheap', match: 'qualified', upstreamModel: 'gpt-4o-mini' });
    expect(route('twin/claude')).toEqual({ extension: 'twin', match: 'qualified', upstreamModel: 'claude-3' });
    expect(route('llama-3-70b')).toEqual({ extension: 'local', match: 'pattern', upstreamModel: 'llama-3-70b' });
    expect(route('local:llama-3-8b')).toEqual({ extension: 'local', match: 'qualified', upstreamModel: 'llama-3-8b' });
  });
});

describe('a model whose extension does not route says why', () => {
  it('names an extension that is discovered but not loaded, with what it needs', async () => {
    const manager = new ExtensionManager({}, { env: () => undefined });
    await manager.discoverExtensions([SHIPPED_EXTENSIONS]);
    await manager.loadExtension('echo');
    const error = notFound(() => manager.modelRouter.route('gpt-4o'));
    expect(error.message).toBe(
      'Extension "openai" serves model "gpt-4o" but is not loaded (it needs OPENAI_API_KEY). Add it to ExtensionsModule.forRoot({ extensions }) or load it (manager.loadExtension(\'openai\')).',
    );
  });

  it('names an extension that failed, with its error', async () => {
    const manager = new ExtensionManager({}, { env: () => undefined });
    await manager.discoverExtensions([SHIPPED_EXTENSIONS]);
    await expect(manager.loadExtension('openai', { apiKey: 'sk-x', timeout: 0 })).rejects.toThrow();
    const error = notFound(() => manager.modelRouter.route('openai:gpt-4o'));
    expect(error.message).toMatch(/^Extension "openai" serves model "openai:gpt-4o" but failed: Invalid configuration for extension "openai" \(1 problem\):\n  - timeout: /);
  });

  it('says an extension that lacks only its required settings is not configured, naming them', async () => {
    const manager = new ExtensionManager({}, { env: () => undefined });
    await manager.discoverExtensions([SHIPPED_EXTENSIONS]);
    await expect(manager.loadExtension('openai')).rejects.toThrow();
    const error = notFound(() => manager.modelRouter.route('openai:gpt-4o'));
    expect(error.message).toBe(`Extension "openai" serves model "openai:gpt-4o" but is not configured: set OPENAI_API_KEY and restart the app (or load it again: manager.loadExtension('openai')).`);
  });

  it('names a stopped extension and how to start it', async () => {
    const manager = await managerWith('routing', ['twin']);
    await manager.startExtension('twin');
    await manager.stopExtension('twin');
    expect(notFound(() => manager.modelRouter.route('claude')).message).toBe(
      'Extension "twin" serves model "claude" but is stopped. Start it (manager.startExtension(\'twin\')).',
    );
  });
});

describe('what clients send cannot grow memory or burn CPU', () => {
  it('routes 200,000 distinct unknown names (plain and qualified) over 5,000 models with bounded memory', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const manager = await managerWith('many-models');
    const router = manager.modelRouter;
    expect(router.route('alias-42').upstreamModel).toBe('family-42-model-42');
    const sample = notFound(() => router.route('family-27-model-77x'));
    // Close matches are still there for whoever reads them.
    expect(sample.closeMatches).toContain('family-27-model-77');
    expect(sample.message).toMatch(/^No loaded extension serves model "family-27-model-77x"\. Close matches: family-27-model-77/);

    const send = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        // Unknown plain and qualified names, and distinct names a wildcard matches (each would be cached).
        const name = i % 3 === 0 ? `wild-${i}-${'y'.repeat(200)}` : i % 3 === 1 ? `many:unknown-${i}-${'x'.repeat(i % 40)}` : `client-model-${i}`;
        try {
          router.route(name);
        } catch (error) {
          if (!(error instanceof ModelNotFound)) throw error;
        }
      }
    };
    send(0, 20_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    send(20_000, 200_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  });

  it('refuses a name longer than 512 characters before any lookup', async () => {
    const manager = await managerWith('many-models');
    const error = notFound(() => manager.modelRouter.route(`wild-${'z'.repeat(600)}`));
    expect(error.message).toBe('Model names are at most 512 characters; this one has 605.');
    expect(manager.modelRouter.findExtensionForModel('x'.repeat(513))).toBeUndefined();
    expect(manager.modelRouter.route(`wild-${'z'.repeat(500)}`).extension).toBe('wild');
  });
});
