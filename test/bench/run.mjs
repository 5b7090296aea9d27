// `npm run bench`: every row of issue 12's table, each against its baseline measured in the same run,
// printed as a table and written to bench-results.json at the repository root (gitignored: figures
// are per machine and per run). Imports the built package (dist/), so run it after `nest build`.
//   node test/bench/run.mjs [--only routing,health,gateway,telemetry,boot] [--out file]
//   BENCH_SECONDS=8  seconds autocannon measures each HTTP case and side, over its rounds (after a 1 s warm-up)
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable, log, ROOT } from './common.mjs';

const SECTIONS = ['routing', 'health', 'gateway', 'telemetry', 'boot'];
const { values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string' } } });
const only = values.only ? values.only.split(',').map((s) => s.trim()) : SECTIONS;
const unknown = only.filter((s) => !SECTIONS.includes(s));
if (unknown.length) throw new Error(`unknown section ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);
if (!existsSync(join(ROOT, 'dist/src/index.js'))) throw new Error('dist/ is missing: run `npm run bench` (it builds first) or `nest build`');

const runners = {
  routing: async () => (await import('./routing.bench.mjs')).routingBench(),
  health: async () => (await import('./http.bench.mjs')).healthBench(),
  gateway: async () => (await import('./http.bench.mjs')).gatewayBench(),
  telemetry: async () => (await import('./http.bench.mjs')).telemetryBench(),
  boot: async () => (await import('./boot.bench.mjs')).bootBench(),
};

const gitCommit = () => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
};

const began = Date.now();
const loadBefore = loadavg();
const rows = [];
const raw = {};
const seconds = {};
for (const section of only) {
  const sectionBegan = Date.now();
  const result = await runners[section]();
  rows.push(...result.rows);
  raw[section] = result.raw;
  seconds[section] = (Date.now() - sectionBegan) / 1000;
}

const machine = {
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism(),
  memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  loadAverageBefore: loadBefore.map((x) => Number(x.toFixed(2))),
  loadAverageAfter: loadavg().map((x) => Number(x.toFixed(2))),
};
const summary = { pass: rows.filter((r) => r.status === 'PASS').length, fail: rows.filter((r) => r.status === 'FAIL').length, info: rows.filter((r) => r.status === 'INFO').length };
const results = {
  issue: 12,
  date: new Date().toISOString(),
  commit: gitCommit(),
  machine,
  settings: { sections: only, httpSeconds: Number(process.env.BENCH_SECONDS ?? 8) },
  seconds: { ...seconds, total: (Date.now() - began) / 1000 },
  summary,
  rows,
  raw,
};
const out = values.out ?? join(ROOT, 'bench-results.json');
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);

console.log(`\n${machine.cores} cores (${machine.cpu}), Node ${machine.node}, load ${machine.loadAverageBefore.join(' ')} before, ${results.seconds.total.toFixed(0)} s`);
console.log(formatTable(rows));
console.log(`\n${summary.pass} PASS, ${summary.fail} FAIL, ${summary.info} INFO (no target); written to ${out}`);
log('figure and baseline per row, ratio = figure / baseline; see bench-results.json for every sample');
