// Router lookup speed against a baseline measured in the same run: a linear scan over every model of
// every extension, which is what a router without a table does. Prints ops/s and the ratio.
import 'reflect-metadata';
import { definitionFromClass } from '../../dist/src/definition/decorator-definition.js';
import { Extension, ExtensionManager, Model } from '../../dist/src/index.js';

const EXTENSIONS = 200;
const MODELS = 10;
const ITERATIONS = 200_000;

const manager = new ExtensionManager();
const definitions = [];
for (let e = 0; e < EXTENSIONS; e++) {
  const cls = class {};
  for (let m = MODELS - 1; m >= 0; m--) Model(`model-${e}-${m}`, { capabilities: ['text'], aliases: [`alias-${e}-${m}`] })(cls);
  Model(`family-${e}-*`, { capabilities: ['text'] })(cls);
  Extension({ name: `ext-${e}` })(cls);
  definitions.push(definitionFromClass(cls, `/bench/ext-${e}.js`, '/bench'));
}
manager.register({ definitions, problems: [], warnings: [], importMs: {} });
for (const { name } of definitions) await manager.loadExtension(name);
const router = manager.modelRouter;

/** The baseline: scan every model on every call (patterns compiled once, to be fair to it). */
const compiled = new Map();
const regexFor = (name) => compiled.get(name) ?? compiled.set(name, new RegExp(`^${name.replace(/\*/g, '.*')}$`)).get(name);
function linearFind(model) {
  const records = manager.allRecords().filter((r) => r.state === 'loaded' || r.state === 'started');
  for (const record of records) for (const m of record.definition.models) if (m.name === model) return record.definition.name;
  for (const record of records) for (const m of record.definition.models) if (m.aliases.includes(model)) return record.definition.name;
  for (const record of records) {
    for (const m of record.definition.models) if (m.name.includes('*') && regexFor(m.name).test(model)) return record.definition.name;
  }
  return undefined;
}

function measure(fn, inputs) {
  for (let i = 0; i < 1000; i++) fn(inputs[i % inputs.length]); // warm up
  const began = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) fn(inputs[i % inputs.length]);
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  return ITERATIONS / seconds;
}

const pick = (make) => Array.from({ length: 64 }, (_, i) => make((i * 37) % EXTENSIONS, i % MODELS));
const cases = [
  ['exact', pick((e, m) => `model-${e}-${m}`)],
  ['alias', pick((e, m) => `alias-${e}-${m}`)],
  ['pattern', pick((e) => `family-${e}-x`)],
];

console.log(`${EXTENSIONS} extensions x ${MODELS + 1} models, ${ITERATIONS} lookups per row`);
console.log('lookup    router ops/s   baseline ops/s   ratio');
for (const [label, inputs] of cases) {
  const expected = inputs.map(linearFind);
  if (inputs.some((input, i) => router.findExtensionForModel(input) !== expected[i])) throw new Error(`${label}: router and baseline disagree`);
  const fast = measure((m) => router.findExtensionForModel(m), inputs);
  const slow = measure(linearFind, inputs);
  console.log(`${label.padEnd(8)}  ${fast.toFixed(0).padStart(12)}   ${slow.toFixed(0).padStart(14)}   ${(fast / slow).toFixed(1)}x`);
}

const rebuildBegan = process.hrtime.bigint();
await manager.unloadExtension('ext-0');
router.findExtensionForModel('model-1-1');
console.log(`table rebuild after a state change: ${(Number(process.hrtime.bigint() - rebuildBegan) / 1e6).toFixed(2)} ms`);
