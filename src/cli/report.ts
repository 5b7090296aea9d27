import { relative } from 'node:path';
import type { EnvReader } from '../configuration/resolve-config.js';
import { table } from '../utils/text-table.js';
import { allProblems, type CheckedExtension, type Inspection, type Problem } from './inspect.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const where = (file?: string) => (file ? relative(process.cwd(), file) || '.' : '');
const line = (p: Problem) => `    ${p.field ? `${p.field}: ` : ''}${p.message.replace(/\n/g, '\n      ')}`;

function header(inspection: Inspection, command: string): string[] {
  const found = plural(inspection.extensions.length, 'extension');
  return [`gleitzeit ${command}: ${found} in ${inspection.searchPaths.join(', ')}`, `TypeScript: ${inspection.typescript.how}`];
}

/** What `validate` prints: every extension with its problems, each with file and field, then the files that gave none. */
export function validateText(inspection: Inspection): string {
  const out = [...header(inspection, 'validate'), ''];
  for (const entry of inspection.extensions) {
    const { name, version, style, source } = entry.definition;
    const status = entry.problems.length ? 'FAIL' : entry.ready ? 'ok  ' : 'wait';
    const blocked = !entry.problems.length && !entry.ready ? `  (${entry.notReady})` : '';
    out.push(`${status} ${name} ${version} [${style}] ${where(source)}${blocked}`, ...entry.problems.map(line));
  }
  const byFile = new Map<string, Problem[]>();
  for (const p of inspection.problems) byFile.set(p.file ?? '', [...(byFile.get(p.file ?? '') ?? []), p]);
  for (const [file, problems] of byFile) out.push(`FAIL ${file || '(no file)'}`, ...problems.map(line));
  for (const warning of inspection.warnings) out.push(`warn ${warning}`);
  const problems = allProblems(inspection);
  const unset = [...new Set(inspection.extensions.flatMap((e) => e.unset))];
  out.push('');
  if (!problems.length && inspection.extensions.length) out.push(`No problems: ${plural(inspection.extensions.length, 'extension')} would load here.`);
  else if (!problems.length) out.push('No extension found: check the paths (gleitzeit validate <folder> ...).');
  else out.push(`${plural(problems.length, 'problem')}.${unset.length ? ` Unset environment variables: ${unset.join(', ')}.` : ''}`);
  return out.join('\n');
}

/** Whether `validate` fails: a problem, or nothing found at all. */
export const validateFails = (inspection: Inspection) => allProblems(inspection).length > 0 || inspection.extensions.length === 0;

/** Where each config field's value would come from here; values themselves are never shown. */
function source(field: CheckedExtension['definition']['configFields'][number], env: EnvReader): string {
  const fromEnv = field.envVar ? env(field.envVar) : undefined;
  if (fromEnv !== undefined && fromEnv !== '') return 'environment';
  if (field.default !== undefined && field.default !== null) return 'default';
  return field.required ? 'unset (required)' : 'unset';
}

/** The JSON of `list` (and of each extension in `validate --json`): facts and readiness, no values. */
export function extensionJson(entry: CheckedExtension, env: EnvReader) {
  const { name, style, version, source: file, models, capabilities, dependsOn, requires, configFields } = entry.definition;
  return {
    name,
    style,
    version,
    source: where(file),
    models: models.map((m) => ({ name: m.name, aliases: m.aliases, capabilities: m.capabilities })),
    capabilities,
    dependsOn,
    packages: requires.map((r) => r.spec),
    config: configFields.map((f) => ({ name: f.name, type: f.type, required: f.required, secret: f.secret, envVar: f.envVar, source: source(f, env) })),
    ready: entry.ready,
    ...(entry.notReady ? { notReady: entry.notReady } : {}),
    problems: entry.problems,
  };
}

const modelsCell = (entry: CheckedExtension) => {
  const names = entry.definition.models.map((m) => m.name);
  return (names.length > 3 ? [...names.slice(0, 3), `+${names.length - 3} more`] : names).join(', ') || '-';
};

/** What `list` prints: a table of extensions, then one of their config fields. */
export function listText(inspection: Inspection, env: EnvReader): string {
  const rows = [['NAME', 'STYLE', 'VERSION', 'MODELS', 'CAPABILITIES', 'READY']];
  const fields = [['EXTENSION', 'FIELD', 'TYPE', 'ENV VAR', 'FLAGS', 'VALUE FROM']];
  for (const entry of inspection.extensions) {
    const { name, style, version, capabilities, configFields } = entry.definition;
    const all = [...new Set([...capabilities, ...entry.definition.models.flatMap((m) => m.capabilities)])];
    rows.push([name, style, version, modelsCell(entry), all.join(', ') || '-', entry.ready ? 'yes' : `no: ${entry.notReady}`]);
    for (const field of configFields) {
      const flags = [field.required && 'required', field.secret && 'secret'].filter(Boolean).join(', ') || '-';
      fields.push([name, field.name, field.type, field.envVar ?? '-', flags, source(field, env)]);
    }
  }
  const out = [...header(inspection, 'list'), '', table(rows)];
  if (fields.length > 1) out.push('', 'Config (values are never shown):', '', table(fields));
  const broken = inspection.problems.length;
  if (broken) out.push('', `${plural(broken, 'problem')} in files that gave no extension: run gleitzeit validate for details.`);
  return out.join('\n');
}
