import { redact, scrubError } from '../configuration/secrets.js';
import { describeThrown, ExtensionError, ExtensionLifecycleError, ExtensionLoadError, ExtensionTimeoutError, stackOf } from '../errors/index.js';
import { phaseFailedMessage, timeoutMessage } from '../errors/messages.js';
import { withDeadline } from '../utils/with-timeout.js';
import type { ExtensionRecord, LifecyclePhase } from './manager.interface.js';

/**
 * Our errors pass through, scrubbed (extension code may throw an ExtensionError of its own with a
 * secret in it); anything else extension code threw, whatever its shape, is wrapped into a typed
 * error and scrubbed of the secrets.
 */
export function toExtensionError(error: unknown, name: string, phase: LifecyclePhase | 'load', secrets: string[]): ExtensionError {
  if (isOurError(error)) return scrubError(error, secrets) as ExtensionError;
  const reason = redact(describeThrown(error), secrets);
  const cause = new Error(reason);
  cause.stack = redact(stackOf(error) ?? reason, secrets);
  return phase === 'load'
    ? new ExtensionLoadError(`Could not build extension "${name}": ${reason}`, name, { cause })
    : new ExtensionLifecycleError(phaseFailedMessage(name, phase, reason), name, phase, { cause });
}

/** `instanceof` itself can throw on a hostile Proxy. */
function isOurError(error: unknown): error is ExtensionError {
  try {
    return error instanceof ExtensionError;
  } catch {
    return false;
  }
}

/**
 * Runs one lifecycle method (sync or async) of an extension as `method({ signal })` within `ms`,
 * recording how long it took. At the limit the signal aborts and the phase fails with an
 * ExtensionTimeoutError; a late completion changes nothing. A missing method is a no-op.
 */
export async function runPhase(record: ExtensionRecord, phase: LifecyclePhase, ms: number): Promise<void> {
  const { name } = record.definition;
  const instance = record.instance as Partial<Record<LifecyclePhase, (options: { signal: AbortSignal }) => unknown>> | undefined;
  const hook = instance?.[phase];
  if (typeof hook !== 'function') return;
  const began = performance.now();
  try {
    await withDeadline((signal) => hook.call(instance, { signal }), ms, () => new ExtensionTimeoutError(timeoutMessage(name, phase, ms), name, phase, ms));
  } catch (error) {
    throw toExtensionError(error, name, phase, record.secrets);
  } finally {
    record.timings[phase] = Math.round(performance.now() - began);
  }
}
