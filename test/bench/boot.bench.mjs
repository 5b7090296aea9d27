// Boot time and memory: N extensions through ExtensionsModule.forRoot against the same classes
// hand-wired as plain Nest modules, each boot in a fresh process, alternating the two so that noise
// on the shared machine hits both; the median of a few runs each.
import { log, median, row, runChild } from './common.mjs';
import { generateExtensions } from './generate.mjs';

const RUNS = { 100: 5, 1000: 3 };

async function bootSeries(n, entry = 'main') {
  const generated = generateExtensions(n, { entry });
  const results = { extensions: [], plain: [] };
  try {
    for (let run = 0; run < RUNS[n]; run++) {
      for (const kind of ['extensions', 'plain']) {
        const result = await runChild('./boot-child.mjs', [kind, generated.dir], { nodeArgs: ['--expose-gc'] });
        if (result.served !== n) throw new Error(`${kind} boot at N = ${n} served ${result.served} of ${n} extensions`);
        results[kind].push(result);
      }
      log(`  boot N = ${n}${entry === "main" ? "" : ` (${entry} entry)`}, run ${run + 1}/${RUNS[n]}: extensions ${results.extensions.at(-1).bootMs.toFixed(0)} ms, plain ${results.plain.at(-1).bootMs.toFixed(0)} ms`);
    }
  } finally {
    generated.cleanup();
  }
  const pick = (kind, key) => median(results[kind].map((r) => r[key]));
  return {
    bootMs: { extensions: pick('extensions', 'bootMs'), plain: pick('plain', 'bootMs') },
    createToInitMs: { extensions: pick('extensions', 'createToInitMs'), plain: pick('plain', 'createToInitMs') },
    rss: { extensions: pick('extensions', 'rss'), plain: pick('plain', 'rss') },
    runs: results,
  };
}

export async function bootBench() {
  log('boot: N = 100 and N = 1000 extensions vs plain Nest modules, fresh processes');
  const small = await bootSeries(100);
  const large = await bootSeries(1000);
  // The same at N = 1000 with the extension files importing gleitzeit-extensions/extension (no Nest),
  // as the README recommends: fewer modules for Node to link per import. The plain side then loads
  // only that entry of the package, not all of it.
  const light = await bootSeries(1000, 'extension');
  // Memory per extension: the growth of RSS from N = 100 to N = 1000, per extension added.
  const perExtension = (kind) => (large.rss[kind] - small.rss[kind]) / 900 / 1024;
  const rows = [
    row({
      id: 'boot-100',
      what: 'boot, process start to init, N = 100 (half decorator, half YAML) vs plain Nest modules',
      unit: 'ms',
      figure: small.bootMs.extensions,
      baseline: small.bootMs.plain,
      target: '<= 1.5x',
      pass: (r) => r <= 1.5,
    }),
    row({
      id: 'boot-1000',
      what: 'boot, process start to init, N = 1000 vs plain Nest modules',
      unit: 'ms',
      figure: large.bootMs.extensions,
      baseline: large.bootMs.plain,
      target: '<= 2x',
      pass: (r) => r <= 2,
    }),
    row({
      id: 'boot-1000-extension-entry',
      what: 'boot, process start to init, N = 1000, extension files importing gleitzeit-extensions/extension',
      unit: 'ms',
      figure: light.bootMs.extensions,
      baseline: light.bootMs.plain,
      note: 'no target of its own: the boot-1000 row with the entry the README recommends for extension files',
    }),
    row({
      id: 'create-to-init-1000',
      what: 'boot, app module built to init (Node and Nest already loaded), N = 1000',
      unit: 'ms',
      figure: large.createToInitMs.extensions,
      baseline: large.createToInitMs.plain,
      note: 'no target of its own; the issue measured 3.1x',
    }),
    row({
      id: 'rss-per-extension-1000',
      what: 'RSS per extension, growth from N = 100 to N = 1000 (after GC) vs plain Nest modules',
      unit: 'KiB',
      figure: perExtension('extensions'),
      baseline: perExtension('plain'),
      note: `RSS at N = 1000: ${(large.rss.extensions / 2 ** 20).toFixed(1)} MiB with extensions, ${(large.rss.plain / 2 ** 20).toFixed(1)} MiB plain; the issue sets no target`,
    }),
  ];
  return { rows, raw: { n100: small, n1000: large, n1000ExtensionEntry: light } };
}
