import { pathToFileURL } from 'node:url';
import { describeThrown, ExtensionConfigError, ExtensionDependencyError, ExtensionLoadError } from '../errors/index.js';
import { timeLimitProblem } from '../utils/time-limits.js';
import { withDeadline } from '../utils/with-timeout.js';
import { importFailedMessage, importStuckMessage, noTypeScriptLoaderMessage, packagesMessage } from '../errors/messages.js';
import { requireNamespace } from './require-esm.js';
import { isTypeScriptFile, isTypeScriptLoaderActive } from './typescript-loader.js';

const MISSING_PACKAGE = /Cannot find (?:package|module) '([^']+)'/;

/** How long importing one extension module may take, in ms, unless `importTimeoutMs` says otherwise. */
export const DEFAULT_IMPORT_TIMEOUT_MS = 10_000;

/** Throws an ExtensionConfigError unless `value` is a usable import time limit (or undefined). */
export function checkImportTimeout(value: unknown): void {
  const problem = value === undefined ? undefined : timeLimitProblem(value);
  if (!problem) return;
  const issue = { field: 'importTimeoutMs', message: problem };
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
  // import() cannot be cancelled: the deadline only stops waiting for it.
  const stuck = () => new ExtensionLoadError(importStuckMessage(file, timeoutMs), extensionName);
  const required = requireNamespace(file);
  if (required) return required;
  try {
    return (await withDeadline(() => import(pathToFileURL(file).href), timeoutMs, stuck)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ExtensionLoadError) throw error;
    const reason = describeThrown(error);
    const missing = MISSING_PACKAGE.exec(reason)?.[1];
    if (missing && !missing.startsWith('.') && !missing.startsWith('/') && !missing.startsWith('file:')) {
      const pkg = missing.startsWith('@') ? missing.split('/').slice(0, 2).join('/') : missing.split('/')[0];
      throw new ExtensionDependencyError(
        packagesMessage(extensionName, file, [pkg], [], `npm install ${pkg}`),
        extensionName,
        [pkg],
      );
    }
    throw new ExtensionLoadError(importFailedMessage(file, reason), extensionName, { cause: error });
  }
}
