// Shared pieces of the benchmark: statistics, child processes, and the result rows with their targets.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = new URL('../../dist/src/index.js', import.meta.url).href;
/** The entry extension files import (`gleitzeit-extensions/extension`, as the README recommends for them). */
export const EXTENSION_ENTRY = new URL('../../dist/src/extension.js', import.meta.url).href;

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export const log = (line) => process.stderr.write(`${line}\n`);

/**
 * Runs `node script ...args` and resolves with the JSON a child prints on a line starting `BENCH `
 * (everything else it prints is ignored). Rejects with the child's stderr when it exits without one.
 */
export function runChild(script, args = [], { nodeArgs = [], env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, fileURLToPath(new URL(script, import.meta.url)), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH '));
      if (line) resolve(JSON.parse(line.slice(6)));
      else reject(new Error(`${script} ${args.join(' ')} exited ${code} without a result:\n${err.slice(-2000)}`));
    });
  });
}

/**
 * Starts a long-running child that prints `BENCH {"port": n}` once it listens; resolves with the port
 * and a stop() that ends exactly that child.
 */
export function startServer(script, args = [], env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('BENCH '));
      if (!line) return;
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      const stop = () =>
        new Promise((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', done);
          child.kill('SIGKILL');
        });
      resolve({ port: JSON.parse(line.slice(6)).port, stop });
    });
    child.on('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited ${code} before listening:\n${err.slice(-2000)}`)));
  });
}

/**
 * One row of the table. `ratio` is figure / baseline unless given. `pass(ratio)` checks the target
 * (or `passed` says it outright, for targets that are not about the ratio); rows without a target are
 * INFO. `detail` is a short text for the table; `extra` holds more figures for the JSON.
 */
export function row({ id, what, unit, figure, baseline, ratio = figure / baseline, target, pass, passed, detail, note, extra }) {
  const verdict = passed ?? pass?.(ratio);
  const status = verdict === undefined ? 'INFO' : verdict ? 'PASS' : 'FAIL';
  return { id, what, unit, figure: round(figure), baseline: round(baseline), ratio: round(ratio), target: target ?? null, status, ...(detail && { detail }), ...(note && { note }), ...(extra && { extra }) };
}

export const round = (x) => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(4)) : x);

/** The table as text: one line per row, widths fitted to the content. */
export function formatTable(rows) {
  const header = ['row', 'figure', 'baseline', 'ratio', 'target', 'status', 'detail'];
  const lines = rows.map((r) => [r.what, `${r.figure} ${r.unit}`, `${r.baseline} ${r.unit}`, `${r.ratio}x`, r.target ?? '-', r.status, r.detail ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}
