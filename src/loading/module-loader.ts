import { pathToFileURL } from 'node:url';
import { ExtensionConfigError, ExtensionDependencyError, ExtensionLoadError } from '../errors/index.js';
import { importFailedMessage, importStuckMessage, noTypeScriptLoaderMessage, packagesMessage } from '../errors/messages.js';
import { isTypeScriptFile, isTypeScriptLoaderActive } from './typescript-loader.js';

const MISSING_PACKAGE = /Cannot find (?:package|module) '([^']+)'/;

/** How long importing one extension module may take, in ms, unless `importTimeoutMs` says otherwise. */
export const DEFAULT_IMPORT_TIMEOUT_MS = 10_000;

/** Node's timers hold at most 2^31 - 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Throws an ExtensionConfigError unless `value` is a usable import time limit (or undefined). */
export function checkImportTimeout(value: unknown): void {
  if (value === undefined || (typeof value === 'number' && value > 0 && value <= MAX_TIMER_MS)) return;
  const shown = typeof value === 'number' || typeof value === 'string' ? JSON.stringify(value) : typeof value;
  const issue = { field: 'importTimeoutMs', message: `must be a positive number of milliseconds up to ${MAX_TIMER_MS} (got ${shown})` };
  throw new ExtensionConfigError(`Invalid option:\n  - ${issue.field}: ${issue.message}`, undefined, [issue]);
}

/**
 * Imports an extension module. A missing npm package becomes an ExtensionDependencyError with the
 * install command, a .ts file without a loader an ExtensionLoadError with a hint, anything else an
 * ExtensionLoadError naming the file. An import that has not finished within `timeoutMs` (top-level
 * code that waits forever) is an ExtensionLoadError: import() cannot be cancelled, so the module stays
 * pending, but discovery and boot go on.
 */
export async function importModule(
  file: string,
  extensionName?: string,
  typescript = isTypeScriptLoaderActive(),
  timeoutMs = DEFAULT_IMPORT_TIMEOUT_MS,
): Promise<Record<string, unknown>> {
  if (isTypeScriptFile(file) && !typescript) {
    throw new ExtensionLoadError(noTypeScriptLoaderMessage(file), extensionName);
  }
  const stuck = new ExtensionLoadError(importStuckMessage(file, timeoutMs), extensionName);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(stuck), timeoutMs);
  });
  try {
    return (await Promise.race([import(pathToFileURL(file).href), deadline])) as Record<string, unknown>;
  } catch (error) {
    if (error === stuck) throw stuck;
    const err = error as NodeJS.ErrnoException;
    const missing = MISSING_PACKAGE.exec(err.message ?? '')?.[1];
    if (missing && !missing.startsWith('.') && !missing.startsWith('/') && !missing.startsWith('file:')) {
      const pkg = missing.startsWith('@') ? missing.split('/').slice(0, 2).join('/') : missing.split('/')[0];
      throw new ExtensionDependencyError(
        packagesMessage(extensionName, file, [pkg], [], `npm install ${pkg}`),
        extensionName,
        [pkg],
      );
    }
    throw new ExtensionLoadError(importFailedMessage(file, err.message ?? String(error)), extensionName, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
