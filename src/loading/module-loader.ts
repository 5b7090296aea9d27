import { pathToFileURL } from 'node:url';
import { ExtensionDependencyError, ExtensionLoadError } from '../errors/index.js';
import { importFailedMessage, noTypeScriptLoaderMessage, packagesMessage } from '../errors/messages.js';
import { isTypeScriptFile, isTypeScriptLoaderActive } from './typescript-loader.js';

const MISSING_PACKAGE = /Cannot find (?:package|module) '([^']+)'/;

/**
 * Imports an extension module. A missing npm package becomes an ExtensionDependencyError with the
 * install command, a .ts file without a loader an ExtensionLoadError with a hint, anything else an
 * ExtensionLoadError naming the file.
 */
export async function importModule(
  file: string,
  extensionName?: string,
  typescript = isTypeScriptLoaderActive(),
): Promise<Record<string, unknown>> {
  if (isTypeScriptFile(file) && !typescript) {
    throw new ExtensionLoadError(noTypeScriptLoaderMessage(file), extensionName);
  }
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
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
  }
}
