import { MAX_LABEL_VALUES, OTHER } from './telemetry.options.js';

/**
 * The values one metric label may take, at most `limit` of them: the first ones seen keep their
 * name, later new ones are reported as `_OTHER`. A label fed from outside (a provider's model name,
 * its error codes) cannot then grow the number of series, nor the memory kept here.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly limit = MAX_LABEL_VALUES) {}

  value(raw: string | undefined): string | undefined {
    if (raw === undefined) return undefined;
    if (this.seen.has(raw)) return raw;
    if (this.seen.size >= this.limit) return OTHER;
    this.seen.add(raw);
    return raw;
  }
}
