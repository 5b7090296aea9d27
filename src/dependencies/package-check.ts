import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import semver from 'semver';
import type { ExtensionDefinition, PackageRequirement } from '../definition/definition.interface.js';
import { ExtensionDependencyError, type MismatchedPackage } from '../errors/index.js';
import { packagesMessage } from '../errors/messages.js';

/** Outcome of checking one extension's packages. */
export interface PackageCheck {
  valid: boolean;
  /** Specifiers of packages that are not installed. */
  missing: string[];
  mismatched: MismatchedPackage[];
}

/**
 * The installed version of a package as Node would resolve it from `fromDir`. Reads package.json
 * from the node_modules folders Node searches, so packages whose `exports` hide package.json work too.
 */
export function installedVersion(name: string, fromDir: string): string | undefined {
  const lookup = createRequire(join(fromDir, '__resolve__.js')).resolve.paths(name) ?? [];
  for (const dir of lookup) {
    const manifest = join(dir, name, 'package.json');
    if (existsSync(manifest)) {
      const version = JSON.parse(readFileSync(manifest, 'utf8')).version;
      return typeof version === 'string' ? version : undefined;
    }
  }
  return undefined;
}

/** Checks every package requirement of an extension from the extension's own folder. */
export function checkPackages(definition: Pick<ExtensionDefinition, 'requires' | 'root'>): PackageCheck {
  const missing: string[] = [];
  const mismatched: MismatchedPackage[] = [];
  for (const requirement of definition.requires) {
    const installed = installedVersion(requirement.name, definition.root);
    if (installed === undefined) missing.push(requirement.spec);
    else if (!semver.satisfies(installed, requirement.range, { includePrerelease: true })) {
      mismatched.push({ package: requirement.name, required: requirement.range, installed });
    }
  }
  return { valid: missing.length === 0 && mismatched.length === 0, missing, mismatched };
}

function installArgument(requirement: PackageRequirement): string {
  const arg = requirement.range === '*' ? requirement.name : `${requirement.name}@${requirement.range}`;
  return /[\s<>|^~*]/.test(arg) ? `"${arg}"` : arg;
}

/** Throws one ExtensionDependencyError listing every missing and mismatched package. */
export function assertPackages(definition: ExtensionDefinition): void {
  const check = checkPackages(definition);
  if (check.valid) return;
  const wrong = new Set([...check.missing, ...check.mismatched.map((m) => m.package)]);
  const install = `npm install ${definition.requires
    .filter((r) => wrong.has(r.spec) || wrong.has(r.name))
    .map(installArgument)
    .join(' ')}`;
  throw new ExtensionDependencyError(
    packagesMessage(definition.name, definition.source, check.missing, check.mismatched, install),
    definition.name,
    check.missing,
    check.mismatched,
  );
}
