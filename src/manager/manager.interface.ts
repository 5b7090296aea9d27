import type { Type } from '@nestjs/common';
import type { ExtensionDefinition, ExtensionHealth, ExtensionStyle, ModelInfo } from '../definition/definition.interface.js';
import type { ExtensionError } from '../errors/index.js';

/** `discovered → loaded → started → stopped`; `failed` from any step; unload returns to `discovered`. */
export type ExtensionState = 'discovered' | 'loaded' | 'started' | 'stopped' | 'failed';

export type LifecyclePhase = 'setup' | 'start' | 'stop';

/** Everything the manager knows of one extension. Internal. */
export interface ExtensionRecord {
  definition: ExtensionDefinition;
  state: ExtensionState;
  cls?: Type<unknown>;
  instance?: unknown;
  config?: Record<string, unknown>;
  /** Secret config values, to scrub from text that extension code produces. */
  secrets: string[];
  error?: ExtensionError;
  setupDone: boolean;
  /** Milliseconds each step took. */
  timings: Partial<Record<'import' | LifecyclePhase, number>>;
  /** Position in discovery order; the last tie-breaker of routing. */
  order: number;
  /** The stable handle `@InjectExtension` injects and `route()` returns. */
  handle: unknown;
  /** What listModels() added at the last start (checked); cleared by load and unload. */
  runtimeModels?: ModelInfo[];
}

/** The public description of a discovered extension. */
export interface ExtensionInfo {
  name: string;
  version: string;
  description: string;
  author?: string;
  style: ExtensionStyle;
  source: string;
  state: ExtensionState;
  models: ModelInfo[];
  capabilities: string[];
  requires: string[];
  dependsOn: string[];
  configFields: { name: string; type: string; required: boolean; envVar?: string; description?: string; secret: boolean }[];
}

/** `getExtensionInfo()`: the info plus masked config, live health, timings and the last error. */
export interface ExtensionReport extends ExtensionInfo {
  config: Record<string, unknown>;
  health?: ExtensionHealth;
  timings: Partial<Record<'import' | LifecyclePhase, number>>;
  error?: { code: string; message: string };
  /** Names listModels() added at the last start (they route while the extension is started). */
  runtimeModels?: string[];
}

/** `getSummary()`: counts and one line of facts per extension. */
export interface ExtensionsSummary {
  total: number;
  states: Record<ExtensionState, number>;
  extensions: Record<
    string,
    { state: ExtensionState; style: ExtensionStyle; version: string; models: string[]; capabilities: string[]; error?: string }
  >;
  /** Messages of discovery problems (broken manifests, duplicates, ...). */
  problems: string[];
}
