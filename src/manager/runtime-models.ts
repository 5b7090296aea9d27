import { redact } from '../configuration/secrets.js';
import type { ModelInfo } from '../definition/definition.interface.js';
import { describeThrown } from '../errors/index.js';
import { MAX_MODEL_NAME } from '../routing/model-router.js';
import { globMatch } from '../utils/glob.js';
import { withDeadline } from '../utils/with-timeout.js';
import type { ExtensionRecord } from './manager.interface.js';

/** At most this many entries of a listModels() answer are read; the rest are ignored, with a warning. */
export const MAX_RUNTIME_MODELS = 1000;
const MAX_CAPABILITIES = 32;
const MAX_CAPABILITY_LENGTH = 64;
/** Problems named one by one in the warning; the rest are counted. */
const SHOWN_PROBLEMS = 5;

const isPattern = (name: string) => /[*?]/.test(name);
const show = (name: string) => JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}...` : name);
const kind = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);

class HookTimeout extends Error {}

/** One entry of the answer as a model, or why it cannot route. */
function checkEntry(entry: unknown): ModelInfo | string {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return `is ${kind(entry)}, not an object with a name`;
  const { name, capabilities, maxTokens, costPerToken, priority } = entry as Record<string, unknown>;
  if (typeof name !== 'string') return `has a name that is ${kind(name)}, not a string`;
  if (name.trim() === '') return 'has an empty name';
  if (name.length > MAX_MODEL_NAME) return `has a name of ${name.length} characters (at most ${MAX_MODEL_NAME})`;
  if (isPattern(name)) return `${show(name)} is a wildcard pattern: only declared models (@Model, models:) may be patterns`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `${show(name)} contains control characters`;
  const listOk = Array.isArray(capabilities) && capabilities.length <= MAX_CAPABILITIES;
  if (capabilities !== undefined && !(listOk && capabilities.every((c) => typeof c === 'string' && c.length > 0 && c.length <= MAX_CAPABILITY_LENGTH))) {
    return `${show(name)}: capabilities must be a list of at most ${MAX_CAPABILITIES} non-empty strings of at most ${MAX_CAPABILITY_LENGTH} characters`;
  }
  if (maxTokens !== undefined && !(Number.isSafeInteger(maxTokens) && (maxTokens as number) > 0)) return `${show(name)}: maxTokens must be a positive integer`;
  if (costPerToken !== undefined && !(typeof costPerToken === 'number' && Number.isFinite(costPerToken) && costPerToken >= 0)) {
    return `${show(name)}: costPerToken must be a number >= 0`;
  }
  if (priority !== undefined && !(typeof priority === 'number' && Number.isFinite(priority))) return `${show(name)}: priority must be a finite number`;
  const model: ModelInfo = { name, capabilities: [...new Set((capabilities as string[] | undefined) ?? [])], aliases: [], priority: priority ?? 0, runtime: true };
  if (maxTokens !== undefined) model.maxTokens = maxTokens as number;
  if (costPerToken !== undefined) model.costPerToken = costPerToken;
  return model;
}

/** Whether a declared model of the extension already routes the name (declared models win). */
const declaredRoutes = (declared: readonly ModelInfo[], name: string) =>
  declared.some((m) => m.name === name || m.aliases.includes(name) || (isPattern(m.name) && globMatch(m.name, name)));

/**
 * Reads what listModels() answered, as untrusted input: only a list, at most MAX_RUNTIME_MODELS entries
 * read, each checked; names a declared model routes and repeated names are skipped. Never throws.
 */
export function readRuntimeModels(answer: unknown, declared: readonly ModelInfo[]): { models: ModelInfo[]; warnings: string[] } {
  try {
    if (!Array.isArray(answer)) return { models: [], warnings: [`listModels() returned ${kind(answer)}, not a list of models; it routes its declared models only.`] };
    const models: ModelInfo[] = [];
    const problems: string[] = [];
    const warnings: string[] = [];
    const names = new Set<string>();
    const length = answer.length;
    if (length > MAX_RUNTIME_MODELS) warnings.push(`listModels() returned ${length} entries; only the first ${MAX_RUNTIME_MODELS} are read (MAX_RUNTIME_MODELS).`);
    for (let index = 0; index < Math.min(length, MAX_RUNTIME_MODELS); index++) {
      let checked: ModelInfo | string;
      try {
        checked = checkEntry(answer[index]);
      } catch (error) {
        checked = `could not be read (${describeThrown(error).slice(0, 120)})`;
      }
      if (typeof checked === 'string') problems.push(`#${index} ${checked}`);
      else if (!names.has(checked.name) && !declaredRoutes(declared, checked.name)) names.add(checked.name), models.push(checked);
    }
    if (problems.length) {
      const more = problems.length > SHOWN_PROBLEMS ? `; and ${problems.length - SHOWN_PROBLEMS} more` : '';
      warnings.push(`listModels() returned ${problems.length} unusable entries, dropped: ${problems.slice(0, SHOWN_PROBLEMS).join('; ')}${more}.`);
    }
    return { models, warnings };
  } catch (error) {
    return { models: [], warnings: [`the answer of listModels() could not be read (${describeThrown(error).slice(0, 120)}); it routes its declared models only.`] };
  }
}

/**
 * Calls the instance's listModels({ signal }) within `ms` and reads its answer. A throw, a timeout (the
 * signal aborts) or an unreadable answer is a warning naming the extension, scrubbed of its secrets,
 * and leaves the declared models only. Never throws; undefined when the extension has no such method.
 */
export async function collectRuntimeModels(record: ExtensionRecord, ms: number, warn: (message: string) => void): Promise<ModelInfo[] | undefined> {
  const say = (text: string) => warn(redact(`Extension "${record.definition.name}": ${text}`, record.secrets));
  const instance = record.instance as { listModels?: unknown } | undefined;
  let answer: unknown;
  try {
    const hook = instance?.listModels;
    if (typeof hook !== 'function') return undefined;
    answer = await withDeadline((signal) => hook.call(instance, { signal }), ms, () => new HookTimeout());
  } catch (error) {
    const why = error instanceof HookTimeout ? `did not answer within ${ms} ms (the start time limit)` : `failed: ${describeThrown(error).slice(0, 500)}`;
    say(`listModels() ${why}; it routes its declared models only.`);
    return [];
  }
  const { models, warnings } = readRuntimeModels(answer, record.definition.models);
  for (const warning of warnings) say(warning);
  return models;
}
