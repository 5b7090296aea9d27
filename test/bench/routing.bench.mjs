// Routing lookups over 5,000 models (100 extensions x 50 models) against a plain Map.get of the same
// answers, and qualified ids against the Vercel AI SDK's provider registry over the same providers and
// models. Rounds alternate the variants; each figure is the median ns per lookup over the rounds.
import 'reflect-metadata';
import { createProviderRegistry, customProvider } from 'ai';
import { definitionFromClass } from '../../dist/src/definition/decorator-definition.js';
import { Extension, ExtensionManager, Model } from '../../dist/src/index.js';
import { log, median, row } from './common.mjs';

const EXTENSIONS = 100;
const MODELS = 50;
const ITERATIONS = 200_000;
const ROUNDS = 7;

const extensionName = (e) => `ext-${e}`;
const modelName = (e, m) => `model-${e}-${m}`;

async function buildRouter() {
  const manager = new ExtensionManager();
  const definitions = [];
  for (let e = 0; e < EXTENSIONS; e++) {
    const cls = class {};
    for (let m = MODELS - 1; m >= 0; m--) Model(modelName(e, m), { capabilities: ['text'] })(cls);
    Extension({ name: extensionName(e) })(cls);
    definitions.push(definitionFromClass(cls, `/bench/${extensionName(e)}.js`, '/bench'));
  }
  manager.register({ definitions, problems: [], warnings: [], importMs: {} });
  for (const { name } of definitions) await manager.loadExtension(name);
  return manager.modelRouter;
}

/** The Vercel AI SDK's registry: one customProvider per extension, with stub language models (no network). */
function buildRegistry() {
  const providers = {};
  for (let e = 0; e < EXTENSIONS; e++) {
    const languageModels = {};
    for (let m = 0; m < MODELS; m++) {
      const modelId = modelName(e, m);
      languageModels[modelId] = { specificationVersion: 'v3', provider: extensionName(e), modelId, supportedUrls: {}, doGenerate: async () => undefined, doStream: async () => undefined };
    }
    providers[extensionName(e)] = customProvider({ languageModels });
  }
  return createProviderRegistry(providers);
}

/**
 * A timing loop for one call expression over `x`, compiled on its own (new Function) so that every
 * variant gets its own monomorphic call site: a shared loop calling closures would add the same
 * megamorphic-call overhead to Map.get and to the router, flattering the ratio. Results go to a sink.
 */
const timingLoop = (expression) =>
  new Function(
    'target',
    'inputs',
    'iterations',
    `const mask = inputs.length - 1; let sink = 0;
     for (let i = 0; i < 2000; i++) { const x = inputs[i & mask]; sink ^= (${expression}) ? 1 : 0; }
     const began = process.hrtime.bigint();
     for (let i = 0; i < iterations; i++) { const x = inputs[i & mask]; sink ^= (${expression}) ? 1 : 0; }
     return [Number(process.hrtime.bigint() - began) / iterations, sink];`,
  );

export async function routingBench() {
  log(`routing: ${EXTENSIONS * MODELS} models, ${ITERATIONS} lookups x ${ROUNDS} rounds per variant`);
  const router = await buildRouter();
  const registry = buildRegistry();
  const exact = new Map();
  const qualified = new Map();
  for (let e = 0; e < EXTENSIONS; e++) {
    for (let m = 0; m < MODELS; m++) {
      const answer = { extension: extensionName(e), model: modelName(e, m) };
      exact.set(modelName(e, m), answer);
      qualified.set(`${extensionName(e)}:${modelName(e, m)}`, answer);
    }
  }
  // 1,024 names spread over every extension, in a scattered order.
  const picks = Array.from({ length: 1024 }, (_, i) => [(i * 37) % EXTENSIONS, (i * 13) % MODELS]);
  const names = picks.map(([e, m]) => modelName(e, m));
  const ids = picks.map(([e, m]) => `${extensionName(e)}:${modelName(e, m)}`);

  for (const [i, name] of names.entries()) {
    const want = exact.get(name).extension;
    if (router.route(name).extension !== want || router.findExtensionForModel(name) !== want) throw new Error(`route(${name}) disagrees with the map`);
    if (router.route(ids[i]).extension !== want || router.route(ids[i]).match !== 'qualified') throw new Error(`route(${ids[i]}) is not a qualified match`);
    if (registry.languageModel(ids[i]).modelId !== name) throw new Error(`registry.languageModel(${ids[i]}) disagrees`);
  }

  // [target, the call on x, inputs]; inputs.length is a power of two.
  const variants = {
    route: [router, 'target.route(x)', names],
    find: [router, 'target.findExtensionForModel(x)', names],
    mapExact: [exact, 'target.get(x)', names],
    routeQualified: [router, 'target.route(x)', ids],
    mapQualified: [qualified, 'target.get(x)', ids],
    registry: [registry, 'target.languageModel(x)', ids],
  };
  const loops = Object.fromEntries(Object.entries(variants).map(([key, [, expression]]) => [key, timingLoop(expression)]));
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [key, [target, , inputs]] of Object.entries(variants)) {
      const [ns, bits] = loops[key](target, inputs, ITERATIONS);
      samples[key].push(ns);
      sink ^= bits;
    }
  }
  const ns = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  log(`  ns per lookup: ${Object.entries(ns).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);

  const rows = [
    row({ id: 'route-exact', what: 'exact route() vs Map.get, 5,000 models', unit: 'ns', figure: ns.route, baseline: ns.mapExact, target: '<= 3x', pass: (r) => r <= 3 }),
    row({ id: 'find-exact', what: 'findExtensionForModel() vs Map.get, 5,000 models', unit: 'ns', figure: ns.find, baseline: ns.mapExact, target: '<= 3x', pass: (r) => r <= 3 }),
    row({ id: 'route-qualified', what: "qualified route('ext:model') vs Map.get", unit: 'ns', figure: ns.routeQualified, baseline: ns.mapQualified, target: '<= 3x', pass: (r) => r <= 3 }),
    row({
      id: 'route-qualified-vs-registry',
      what: "qualified route('ext:model') vs Vercel AI createProviderRegistry().languageModel('p:m')",
      unit: 'ns',
      figure: ns.routeQualified,
      baseline: ns.registry,
      target: '<= 0.2x (at least 5x faster)',
      pass: (r) => r <= 0.2,
    }),
  ];
  return { rows, raw: { nsPerLookup: ns, samples, sink } };
}
