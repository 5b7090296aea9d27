import type { ExtensionDefinition } from '../definition/definition.interface.js';
import type { ExtensionError } from '../errors/index.js';

/** What a scan of the search paths found: the definitions, and every problem on the way. */
export interface DiscoveryResult {
  definitions: ExtensionDefinition[];
  /** One typed error per broken extension; the others are still discovered. */
  problems: ExtensionError[];
  /** Milliseconds spent importing each extension's module (or reading its manifest), by name. */
  importMs: Record<string, number>;
  /** Things worth a log line that stop nothing (a search path that does not exist, say). */
  warnings: string[];
}
