import { checkPackages, packagesError } from '../dependencies/package-check.js';
import type { ExtensionDependencyError, MismatchedPackage } from '../errors/index.js';
import type { ExtensionManager } from '../manager/extension-manager.js';
import type { AvailableModel } from '../routing/routing.interface.js';
import { table } from '../utils/text-table.js';

/** Every model that routes now, with its extension and capabilities. */
export function getAvailableModels(manager: ExtensionManager): Record<string, AvailableModel> {
  return manager.modelRouter.getAvailableModels();
}

/** Routable extensions that have a capability. */
export function getExtensionsByCapability(manager: ExtensionManager, capability: string): string[] {
  return manager.modelRouter.getExtensionsByCapability(capability);
}

/** One extension's dependencies, as validateAllDependencies() reports them. */
export interface DependencyReport {
  valid: boolean;
  /** Packages not installed, and extensions not discovered (as `extension:name`). */
  missing: string[];
  mismatched: MismatchedPackage[];
  /**
   * When a package is missing, mismatched or its package.json cannot be read (a broken install):
   * the ExtensionDependencyError loading the extension would fail with, naming each file.
   */
  error?: ExtensionDependencyError;
}

/** Package and extension dependencies of every discovered extension (missing extensions as `extension:name`). */
export function validateAllDependencies(manager: ExtensionManager): Record<string, DependencyReport> {
  const known = new Set(manager.allRecords().map((r) => r.definition.name));
  return Object.fromEntries(
    manager.allRecords().map(({ definition }) => {
      const packages = checkPackages(definition);
      const missing = [...packages.missing, ...definition.dependsOn.filter((d) => !known.has(d)).map((d) => `extension:${d}`)];
      const report: DependencyReport = { valid: missing.length === 0 && packages.valid, missing, mismatched: packages.mismatched };
      const error = packagesError(definition, packages);
      return [definition.name, error ? { ...report, error } : report];
    }),
  );
}

/** A text table of every extension: name, style, version, state, live health, models. */
export async function createExtensionSummaryReport(manager: ExtensionManager): Promise<string> {
  const summary = manager.getSummary();
  const rows = [['NAME', 'STYLE', 'VERSION', 'STATE', 'HEALTH', 'MODELS']];
  for (const [name, entry] of Object.entries(summary.extensions)) {
    const report = await manager.getExtensionInfo(name);
    const health = report.health ? (report.health.healthy ? 'healthy' : 'unhealthy') : '-';
    rows.push([name, entry.style, entry.version, entry.state, health, entry.models.join(', ') || '-']);
  }
  const counts = Object.entries(summary.states)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const problems = summary.problems.length ? `\n\nProblems:\n${summary.problems.map((p) => `- ${p}`).join('\n')}` : '';
  return `Extensions: ${summary.total}${counts ? ` (${counts})` : ''}\n\n${table(rows)}${problems}`;
}
