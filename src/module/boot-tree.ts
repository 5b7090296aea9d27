import { ExtensionConfigError } from '../errors/index.js';
import type { ExtensionRecord } from '../manager/manager.interface.js';

/** The settings a failed extension lacks, when that is all that is wrong with it (an API key not set). */
export const unsetSettings = (r: ExtensionRecord) => (r.state === 'failed' && r.error instanceof ExtensionConfigError ? r.error.unsetSettings : undefined);

const ms = (value: number | undefined) => (value === undefined ? '-' : `${value}ms`);

/**
 * A short tree of what booted and how long each step took, after Fastify's avvio:
 *
 *   Extensions (2 started, 1 failed)
 *   ├─ openai 1.0.0 [decorator] started  import 3ms · setup 1ms · start 0ms  models: gpt-4, gpt-4o
 *   ├─ claude 1.0.0 [config] failed  EXT_ERR_CONFIG: ...
 *   └─ other 1.0.0 [decorator] not configured  set OTHER_API_KEY
 */
export function bootTree(records: ExtensionRecord[]): string {
  const started = records.filter((r) => r.state === 'started').length;
  const unconfigured = records.filter((r) => unsetSettings(r)).length;
  const failed = records.filter((r) => r.state === 'failed').length - unconfigured;
  const lines = records.map((r, index) => {
    const branch = index === records.length - 1 ? '└─' : '├─';
    const d = r.definition;
    const unset = unsetSettings(r);
    if (unset) return `${branch} ${d.name} ${d.version} [${d.style}] not configured  set ${unset.join(', ')}`;
    const head = `${branch} ${d.name} ${d.version} [${d.style}] ${r.state}`;
    if (r.state === 'failed' && r.error) return `${head}  ${r.error.code}: ${r.error.message.split('\n').join('\n   ')}`;
    const models = d.models.length ? `  models: ${d.models.map((m) => m.name).join(', ')}` : '';
    return `${head}  import ${ms(r.timings.import)} · setup ${ms(r.timings.setup)} · start ${ms(r.timings.start)}${models}`;
  });
  const counts = [`${started} started`, ...(failed ? [`${failed} failed`] : []), ...(unconfigured ? [`${unconfigured} not configured`] : [])];
  return [`Extensions (${counts.join(', ')})`, ...lines].join('\n');
}
