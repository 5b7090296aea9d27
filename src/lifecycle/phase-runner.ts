import { redact } from '../configuration/secrets.js';
import { ExtensionError, ExtensionLifecycleError, ExtensionLoadError, ExtensionTimeoutError } from '../errors/index.js';
import { phaseFailedMessage, timeoutMessage } from '../errors/messages.js';
import type { ExtensionRecord, LifecyclePhase } from '../manager/manager.interface.js';
import { withTimeout } from '../utils/with-timeout.js';

/** Our errors pass through; anything extension code threw is wrapped and scrubbed of the secrets. */
export function toExtensionError(error: unknown, name: string, phase: LifecyclePhase | 'load', secrets: string[]): ExtensionError {
  if (error instanceof ExtensionError) return error;
  const reason = redact((error as Error)?.message ?? String(error), secrets);
  const cause = new Error(reason);
  cause.stack = redact((error as Error)?.stack ?? reason, secrets);
  return phase === 'load'
    ? new ExtensionLoadError(`Could not build extension "${name}": ${reason}`, name, { cause })
    : new ExtensionLifecycleError(phaseFailedMessage(name, phase, reason), name, phase, { cause });
}

/**
 * Runs one lifecycle method (sync or async) of an extension within `ms`, recording how long it took.
 * A missing method is a no-op; a throw or a hang becomes a typed error.
 */
export async function runPhase(record: ExtensionRecord, phase: LifecyclePhase, ms: number): Promise<void> {
  const { name } = record.definition;
  const instance = record.instance as Partial<Record<LifecyclePhase, () => unknown>> | undefined;
  const hook = instance?.[phase];
  if (typeof hook !== 'function') return;
  const began = performance.now();
  try {
    await withTimeout(() => hook.call(instance), ms, () => new ExtensionTimeoutError(timeoutMessage(name, phase, ms), name, phase, ms));
  } catch (error) {
    throw toExtensionError(error, name, phase, record.secrets);
  } finally {
    record.timings[phase] = Math.round(performance.now() - began);
  }
}
