import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import semver from 'semver';
import type { ExtensionDefinition, PackageRequirement } from '../definition/definition.interface.js';
import { ExtensionDependencyError, type MismatchedPackage, type UnreadablePackage } from '../errors/index.js';
import { packagesMessage } from '../errors/messages.js';

/** Outcome of checking one extension's packages. */
export interface PackageCheck {
  valid: boolean;
  /** Specifiers of packages that are not installed. */
  missing: string[];
  mismatched: MismatchedPackage[];
  /** Installed packages whose package.json cannot be read (not JSON, say): a broken install. */
  unreadable: UnreadablePackage[];
}

type Installed = { version?: string } | { unreadable: UnreadablePackage } | undefined;

/** What the package.json Node would resolve `name` to from `fromDir` says; undefined when none is installed. */
function readInstalled(name: string, fromDir: string): Installed {
  const lookup = createRequire(join(fromDir, '__resolve__.js')).resolve.paths(name) ?? [];
  for (const dir of lookup) {
    const file = join(dir, name, 'package.json');
    if (!existsSync(file)) continue;
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      const reason = error instanceof SyntaxError ? `it is not valid JSON (${error.message})` : `${(error as Error).message}`;
      return { unreadable: { package: name, file, reason } };
    }
    if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
      return { unreadable: { package: name, file, reason: 'it is not a JSON object' } };
    }
    const version = (manifest as { version?: unknown }).version;
    return { version: typeof version === 'string' ? version : undefined };
  }
  return undefined;
}

/**
 * The installed version of a package as Node would resolve it from `fromDir`. Reads package.json
 * from the node_modules folders Node searches, so packages whose `exports` hide package.json work too.
 * A package.json that cannot be read is an ExtensionDependencyError naming it.
 */
export function installedVersion(name: string, fromDir: string): string | undefined {
  const installed = readInstalled(name, fromDir);
  if (installed && 'unreadable' in installed) {
    const { unreadable } = installed;
    throw new ExtensionDependencyError(`Cannot read ${unreadable.file}: ${unreadable.reason}. Reinstall ${name}.`, undefined, [], [], [unreadable]);
  }
  return installed?.version;
}

/** Checks every package requirement of an extension from the extension's own folder. */
export function checkPackages(definition: Pick<ExtensionDefinition, 'requires' | 'root'>): PackageCheck {
  const missing: string[] = [];
  const mismatched: MismatchedPackage[] = [];
  const unreadable: UnreadablePackage[] = [];
  for (const requirement of definition.requires) {
    const installed = readInstalled(requirement.name, definition.root);
    if (installed === undefined || (!('unreadable' in installed) && installed.version === undefined)) missing.push(requirement.spec);
    else if ('unreadable' in installed) unreadable.push(installed.unreadable);
    else if (!semver.satisfies(installed.version!, requirement.range, { includePrerelease: true })) {
      mismatched.push({ package: requirement.name, required: requirement.range, installed: installed.version! });
    }
  }
  return { valid: missing.length === 0 && mismatched.length === 0 && unreadable.length === 0, missing, mismatched, unreadable };
}

function installArgument(requirement: PackageRequirement): string {
  const arg = requirement.range === '*' ? requirement.name : `${requirement.name}@${requirement.range}`;
  return /[\s<>|^~*]/.test(arg) ? `"${arg}"` : arg;
}

/** The error loading would throw: every missing, mismatched and unreadable package, with the npm command; undefined when all are fine. */
export function packagesError(definition: Pick<ExtensionDefinition, 'name' | 'source' | 'requires' | 'root'>, check = checkPackages(definition)): ExtensionDependencyError | undefined {
  if (check.valid) return undefined;
  const wrong = new Set([...check.missing, ...check.mismatched.map((m) => m.package), ...check.unreadable.map((u) => u.package)]);
  const install = `npm install ${definition.requires
    .filter((r) => wrong.has(r.spec) || wrong.has(r.name))
    .map(installArgument)
    .join(' ')}`;
  return new ExtensionDependencyError(
    packagesMessage(definition.name, definition.source, check.missing, check.mismatched, install, check.unreadable),
    definition.name,
    check.missing,
    check.mismatched,
    check.unreadable,
  );
}

/** Throws one ExtensionDependencyError listing every missing, mismatched and unreadable package. */
export function assertPackages(definition: ExtensionDefinition): void {
  const error = packagesError(definition);
  if (error) throw error;
}
