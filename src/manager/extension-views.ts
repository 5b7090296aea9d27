import type { ExtensionError } from '../errors/index.js';
import { maskConfig } from '../configuration/secrets.js';
import { ExtensionStateError } from '../errors/index.js';
import type { ExtensionHealth } from '../definition/definition.interface.js';
import { setOwn } from '../utils/own.js';
import type { ExtensionInfo, ExtensionRecord, ExtensionReport, ExtensionState, ExtensionsSummary } from './manager.interface.js';

/** The public description of one extension: its definition and state, nothing else. */
export function toExtensionInfo(record: ExtensionRecord): ExtensionInfo {
  const d = record.definition;
  return {
    name: d.name,
    version: d.version,
    description: d.description,
    author: d.author,
    style: d.style,
    source: d.source,
    state: record.state,
    models: d.models,
    capabilities: d.capabilities,
    requires: d.requires.map((r) => r.spec),
    dependsOn: d.dependsOn,
    configFields: d.configFields.map(({ name, type, required, envVar, description, secret }) => ({ name, type, required, envVar, description, secret })),
  };
}

/** Counts by state and one line of facts per extension. */
export function toSummary(records: readonly ExtensionRecord[], problems: ExtensionError[]): ExtensionsSummary {
  const states: Record<ExtensionState, number> = { discovered: 0, loaded: 0, started: 0, stopped: 0, failed: 0 };
  const extensions: ExtensionsSummary['extensions'] = {};
  for (const r of records) {
    states[r.state]++;
    setOwn(extensions, r.definition.name, {
      state: r.state,
      style: r.definition.style,
      version: r.definition.version,
      models: r.definition.models.map((m) => m.name),
      capabilities: r.definition.capabilities,
      ...(r.error && { error: r.error.message }),
    });
  }
  return { total: records.length, states, extensions, problems: problems.map((p) => p.message) };
}

/** `getExtensionInfo()`: the info plus the masked config, live health, timings and the last error. */
export function toReport(record: ExtensionRecord, health: ExtensionHealth | undefined): ExtensionReport {
  return {
    ...toExtensionInfo(record),
    config: maskConfig(record.definition.configFields, record.config),
    health,
    timings: { ...record.timings },
    error: record.error ? { code: record.error.code, message: record.error.message } : undefined,
    runtimeModels: record.runtimeModels?.map((m) => m.name),
  };
}

/** What touching the handle of an extension that is not loaded throws. */
export function unusableError(name: string, record: ExtensionRecord | undefined): ExtensionStateError {
  const why = record?.state === 'failed' ? `it failed: ${record.error?.message}` : `it is ${record?.state ?? 'not registered'}`;
  return new ExtensionStateError(`Extension "${name}" cannot be used: ${why}. Load it first (manager.loadExtension('${name}')).`, name);
}
