import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI = resolve('dist/src/cli/main.js');
export const fixtures = (name: string) => resolve('test/fixtures/cli', name);

/** The environment of a user's shell: no Jest (whose worker id reads as a TypeScript loader), no NODE_OPTIONS. */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', ...extra };
  delete env.JEST_WORKER_ID;
  return env;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI to its end (at most 60 s) in `cwd` (default: the repository, with paths printed relative to it). */
export function gleitzeit(args: string[], env: Record<string, string> = {}, cwd = resolve('.')): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: userEnv(env), timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}
