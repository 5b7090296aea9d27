import { relative } from 'node:path';
import { processEnv, resolveConfig, type EnvReader } from '../configuration/resolve-config.js';
import { redact } from '../configuration/secrets.js';
import type { ExtensionDefinition } from '../definition/definition.interface.js';
import { packagesError } from '../dependencies/package-check.js';
import { startOrder } from '../dependencies/extension-graph.js';
import { discover } from '../discovery/discover.js';
import { ExtensionConfigError, ExtensionError, ExtensionValidationError } from '../errors/index.js';
import type { TypeScriptSupport } from './typescript.js';

/** One problem, as the CLI prints it: where (file, field) and what, with the fix in the message. */
export interface Problem {
  extension?: string;
  file?: string;
  field?: string;
  code: string;
  message: string;
}

/** One discovered extension and what keeps it from loading here. */
export interface CheckedExtension {
  definition: ExtensionDefinition;
  problems: Problem[];
  /** Environment variables a required setting waits for. */
  unset: string[];
  /** It would load here: no problem of its own, and every extension it depends on would load too. */
  ready: boolean;
  /** Why not, in a few words (`set OPENAI_API_KEY`, `needs extension x`). */
  notReady?: string;
}

export interface Inspection {
  searchPaths: string[];
  typescript: TypeScriptSupport;
  extensions: CheckedExtension[];
  /** Problems of files that gave no extension (a broken manifest, a module that does not import, a duplicate name). */
  problems: Problem[];
  warnings: string[];
}

const shown = (file: string | undefined) => (file ? relative(process.cwd(), file) || '.' : undefined);

/** An ExtensionError as problems: one per issue when it lists them. */
export function problemsOf(error: unknown, extension?: string, file?: string): Problem[] {
  if (!(error instanceof ExtensionError)) return [{ extension, file: shown(file), code: 'EXT_ERR_LOAD', message: String((error as Error)?.message ?? error) }];
  const where = shown((error as ExtensionValidationError).file ?? file);
  const name = error.extensionName ?? extension;
  const issues = (error as ExtensionValidationError | ExtensionConfigError).issues;
  if (Array.isArray(issues) && issues.length) {
    return issues.map((issue) => ({ extension: name, file: where, field: issue.field, code: error.code, message: issue.message }));
  }
  return [{ extension: name, file: where, code: error.code, message: error.message }];
}

const fieldOf = (definition: ExtensionDefinition, yaml: string, decorator: string) => (definition.style === 'config' ? yaml : decorator);

/** What loading this extension here would find wrong, without building it. */
async function checkOne(definition: ExtensionDefinition, known: Set<string>, env: EnvReader): Promise<Omit<CheckedExtension, 'ready'>> {
  const problems: Problem[] = [];
  const add = (error: unknown, field?: string) => problems.push(...problemsOf(error, definition.name, definition.source).map((p) => (field && !p.field ? { ...p, field } : p)));
  const packages = packagesError(definition);
  if (packages) add(packages, fieldOf(definition, 'dependencies.packages', '@Requires'));
  for (const dependency of definition.dependsOn.filter((d) => !known.has(d))) {
    const message = `depends on extension "${dependency}", which is not in these search paths: add the folder that holds it, or remove the dependency`;
    problems.push({ extension: definition.name, file: shown(definition.source), field: fieldOf(definition, 'dependencies.extensions', 'dependsOn'), code: 'EXT_ERR_DEPENDENCY', message });
  }
  let unset: string[] = [];
  try {
    resolveConfig(definition, {}, env);
  } catch (error) {
    if (error instanceof ExtensionConfigError) unset = error.issues.flatMap((issue) => (issue.unset ? [issue.unset] : []));
    add(error);
    for (const p of problems.filter((p) => p.code === 'EXT_ERR_CONFIG')) p.field = fieldOf(definition, `config.${p.field}`, `@ConfigField('${p.field}')`);
  }
  // The class (a YAML extension's service module) is imported only when its packages are there, as at boot.
  if (!packages) await definition.loadClass().catch((error: unknown) => add(error));
  const notReady = problems.length === 0 ? undefined : unset.length === problems.length ? `set ${unset.join(', ')}` : `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  return { definition, problems, unset, notReady };
}

/** Discovers like forRoot does and checks every extension against this environment. */
export async function inspect(searchPaths: string[], typescript: TypeScriptSupport, env: EnvReader = processEnv): Promise<Inspection> {
  const found = await discover(searchPaths, { typescript: typescript.enabled });
  const known = new Set(found.definitions.map((d) => d.name));
  const extensions: CheckedExtension[] = [];
  for (const definition of found.definitions) extensions.push({ ...(await checkOne(definition, known, env)), ready: false });
  const byName = new Map(extensions.map((e) => [e.definition.name, e]));
  try {
    startOrder([...known], new Map(found.definitions.map((d) => [d.name, d])));
  } catch (error) {
    for (const problem of problemsOf(error)) byName.get(problem.extension ?? '')?.problems.push({ ...problem, file: shown(byName.get(problem.extension ?? '')?.definition.source) });
  }
  // Ready: nothing wrong with it, nor with anything it depends on.
  const readiness = new Map<string, string | undefined>();
  const why = (name: string, seen: Set<string>): string | undefined => {
    if (readiness.has(name)) return readiness.get(name);
    const entry = byName.get(name);
    if (!entry || seen.has(name)) return undefined;
    seen.add(name);
    const own = entry.problems.length ? (entry.notReady ?? `${entry.problems.length} problems`) : undefined;
    const blocked = own ? undefined : entry.definition.dependsOn.find((d) => byName.has(d) && why(d, seen) !== undefined);
    const reason = own ?? (blocked ? `needs extension ${blocked}, which is not ready` : undefined);
    readiness.set(name, reason);
    return reason;
  };
  for (const entry of extensions) {
    entry.notReady = why(entry.definition.name, new Set());
    entry.ready = entry.notReady === undefined;
  }
  const problems = found.problems.flatMap((error) => problemsOf(error));
  return { searchPaths, typescript, extensions, problems, warnings: found.warnings };
}

/** Every problem, the extensions' and the broken files'. */
export const allProblems = (inspection: Inspection): Problem[] => [...inspection.problems, ...inspection.extensions.flatMap((e) => e.problems)];

/**
 * Values of secret config fields in this environment: nothing the CLI prints may contain them (its
 * messages never repeat values; this is the second line of defence).
 */
export function secretsInEnvironment(inspection: Inspection, env: EnvReader = processEnv): string[] {
  const values = inspection.extensions.flatMap(({ definition }) =>
    definition.configFields.filter((f) => f.secret && f.envVar).map((f) => env(f.envVar!) ?? ''),
  );
  return [...new Set(values.filter((v) => v.length >= 4))].sort((a, b) => b.length - a.length);
}

export const scrub = (text: string, secrets: string[]) => redact(text, secrets);
