import { ExtensionValidationError, type ExtensionIssue } from './extension.errors.js';

/*
 * Every message says what failed, where (extension, file, field) and how to fix it. No function here
 * receives a config value, so none can leak a secret.
 */

const label = (name: string | undefined) => (name ? `extension "${name}"` : 'extension');
const list = (issues: ExtensionIssue[]) => issues.map((i) => `\n  - ${i.field}: ${i.message}`).join('');

export function invalidDefinitionMessage(name: string | undefined, file: string, issues: ExtensionIssue[]): string {
  return `Invalid ${label(name)} in ${file} (${issues.length} problem${issues.length === 1 ? '' : 's'}):${list(issues)}\nFix the fields above and restart.`;
}

export function invalidConfigMessage(name: string, issues: ExtensionIssue[]): string {
  return `Invalid configuration for extension "${name}" (${issues.length} problem${issues.length === 1 ? '' : 's'}):${list(issues)}`;
}

export function notFoundMessage(name: string, suggestion: string, known: string[]): string {
  const where = known.length ? ` Discovered: ${known.join(', ')}.` : ' No extension was discovered: check searchPaths.';
  return `Extension "${name}" is not registered.${suggestion}${where}`;
}

function duplicateMessage(name: string, first: string, second: string): string {
  return `Extension name "${name}" is defined twice: in ${first} and in ${second}. Rename one of them or remove one folder from searchPaths.`;
}

export function importFailedMessage(file: string, reason: string): string {
  return `Could not import ${file}: ${reason}. Fix the module so it imports on its own (node ${file}).`;
}

export function importStuckMessage(file: string, ms: number): string {
  return `Importing ${file} did not finish within ${ms} ms: its top-level code (a top-level await, say) is stuck. Node cannot cancel an import, so the module stays pending in this process; fix what it waits for, or raise importTimeoutMs.`;
}

export function searchPathNotFolderMessage(path: string): string {
  return `Search path ${path} is not a folder; no extensions were loaded from it.`;
}

export function emptySearchPathMessage(path: string): string {
  return `Search path ${path} has no extensions in it: no extension module (name.js with an @Extension class), no folder with extension.yaml, index.* or extension.*. Check searchPaths; in a built app, point it at the compiled folder (dist/...).`;
}

/** A folder in a search path that is no extension; `modules` when it holds code (a YAML extension missing its manifest?). */
export function notAnExtensionFolderMessage(path: string, modules: boolean): string {
  const why = `Folder ${path} has neither extension.yaml/extension.yml nor an index or extension module, so it was skipped.`;
  const fix = modules
    ? ` If it is a YAML extension, its manifest is missing here: a build does not copy extension.yaml into dist/ by itself; with nest build, list the manifests under compilerOptions.assets in nest-cli.json, e.g. "assets": [{ "include": "../extensions/**/*.{yaml,yml}", "outDir": "dist" }].`
    : ' Remove it from the search path, or start its name with _ to skip it quietly.';
  return why + fix;
}

export function noTypeScriptLoaderMessage(file: string): string {
  return `${file} is TypeScript and no TypeScript loader is active, so it cannot be imported. Build it (nest build or tsc) so a .js file sits beside it, or run the app under tsx (or jest, in tests).`;
}

export function packagesMessage(
  name: string | undefined,
  where: string,
  missing: string[],
  mismatched: { package: string; required: string; installed: string }[],
  install: string,
  unreadable: { package: string; file: string; reason: string }[] = [],
): string {
  const lines = [
    ...missing.map((spec) => `\n  - ${spec}: not installed`),
    ...mismatched.map((m) => `\n  - ${m.package}: requires ${m.required}, installed ${m.installed}`),
    ...unreadable.map((u) => `\n  - ${u.package}: cannot read ${u.file}: ${u.reason}; reinstall it`),
  ].join('');
  return `The ${label(name)} in ${where} needs packages that are missing or in the wrong version:${lines}\nFix: ${install}`;
}

export function stateMessage(name: string, action: string, state: string, fix: string): string {
  return `Cannot ${action} extension "${name}": it is ${state}. ${fix}`;
}

export function timeoutMessage(name: string, phase: string, ms: number): string {
  return `Extension "${name}" did not finish ${phase}() within ${ms} ms. Find what blocks in ${phase}(), or raise timeouts.${phase} (globally or in extensionOptions['${name}'].timeouts).`;
}

export function phaseFailedMessage(name: string, phase: string, reason: string): string {
  return `Extension "${name}" failed in ${phase}(): ${reason}`;
}

export function aggregateMessage(what: string, errors: { extensionName?: string; message: string }[]): string {
  const lines = errors.map((e) => `\n  - ${e.extensionName ?? '(unnamed)'}: ${e.message.replace(/\n/g, '\n    ')}`).join('');
  return `${what} (${errors.length} extension${errors.length === 1 ? '' : 's'}):${lines}`;
}

/** The same extension name found in two files. */
export function duplicateNameError(name: string, first: string, second: string): ExtensionValidationError {
  const issues = [{ field: 'name', message: `"${name}" is already defined in ${first}` }];
  return new ExtensionValidationError(duplicateMessage(name, first, second), name, issues, second);
}
