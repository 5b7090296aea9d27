import { createHook } from 'node:async_hooks';
import { resolve, sep } from 'node:path';
import { ExtensionManager, SHIPPED_EXTENSIONS, type ChatChunk, type ChatRequest, type ModelRouter } from '../../src/index.js';

/**
 * The shipped `mock` extension, discovered from the shipped folder and loaded with `config`. The
 * environment is only `env`, so MOCK_* variables in the shell running the tests change nothing.
 */
/** One attempt per call, no breakers: tests of an extension see exactly what it does, without the router's retries. */
export const SINGLE_ATTEMPT = { resilience: { retries: 0, breaker: false as const } };

export async function loadMock(config: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<{ manager: ExtensionManager; router: ModelRouter }> {
  const manager = new ExtensionManager(SINGLE_ATTEMPT, { env: (name) => env[name] });
  await manager.discoverExtensions([SHIPPED_EXTENSIONS]);
  await manager.loadExtension('mock', config);
  return { manager, router: manager.modelRouter };
}

export const ask = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'mock', messages: [{ role: 'user', content: text }], ...extra });

/** Every chunk of a stream, read to its end. */
export async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** What a settled promise gave: its error, or a failure of the test if it resolved. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it answered');
}

/**
 * Watches the Node timers (setTimeout, setInterval, timers/promises) that the project's code (src/,
 * extensions/) creates while it is on: `alive()` counts those not yet cleared or fired. Only timers
 * made after `watchTimers()` count, and none of Jest's own (its reporter ticks in a run of one file).
 */
export function watchTimers(): { alive: () => number; stop: () => void } {
  const alive = new Set<number>();
  const ours = [`${sep}src${sep}`, `${sep}extensions${sep}`].map((folder) => resolve('.') + folder);
  const hook = createHook({
    init: (id, type) => {
      if (type !== 'Timeout') return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 30;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      if (ours.some((folder) => stack.includes(folder))) alive.add(id);
    },
    destroy: (id) => void alive.delete(id),
  }).enable();
  return { alive: () => alive.size, stop: () => void hook.disable() };
}
