import type { Logger } from '@nestjs/common';
import { processEnv, resolveConfig, type EnvReader } from '../configuration/resolve-config.js';
import { secretValues } from '../configuration/secrets.js';
import type { ExtensionDefinition } from '../definition/definition.interface.js';
import { startOrder } from '../dependencies/extension-graph.js';
import { ExtensionDependencyError, ExtensionStateError, type ExtensionError } from '../errors/index.js';
import { stateMessage } from '../errors/messages.js';
import { ownValue } from '../utils/own.js';
import { importExtensionClass } from './import-class.js';
import { instantiate, runtimeDependencies, type DependencyResolver } from './instantiate.js';
import type { ExtensionRecord, LifecyclePhase } from './manager.interface.js';
import { phaseTimeout, type ExtensionsRuntimeOptions } from './manager.options.js';
import { runPhase, toExtensionError } from './phase-runner.js';
import { collectRuntimeModels } from './runtime-models.js';

/** What the steps need of the manager. */
export interface StepContext {
  options: ExtensionsRuntimeOptions;
  env?: EnvReader;
  resolve?: DependencyResolver;
  logger: Logger;
  state(name: string): string | undefined;
  changed(): void;
  fail(record: ExtensionRecord, error: ExtensionError): ExtensionError;
  /** A span for a phase: ended by the function it returns (with the error, if the phase failed). */
  span?(what: string, attributes: Record<string, string>): (error?: unknown) => void;
}

/** runPhase() under a `gleitzeit.extension.<phase>` span. */
async function tracedPhase(ctx: StepContext, record: ExtensionRecord, phase: LifecyclePhase): Promise<void> {
  const { name } = record.definition;
  const end = ctx.span?.(`extension.${phase}`, { 'gleitzeit.extension': name, 'gleitzeit.phase': phase });
  try {
    await runPhase(record, phase, phaseTimeout(ctx.options, name, phase));
    end?.();
  } catch (error) {
    end?.(error);
    throw error;
  }
}

/** Builds the extension with its validated config; `dependencies` are Nest's at boot, resolved at runtime otherwise. */
export async function loadStep(ctx: StepContext, record: ExtensionRecord, explicit?: Record<string, unknown>, dependencies?: unknown[]): Promise<unknown> {
  const { name } = record.definition;
  if (record.state !== 'discovered' && record.state !== 'failed') {
    throw new ExtensionStateError(stateMessage(name, 'load', record.state, `Unload it first (manager.unloadExtension('${name}')).`), name);
  }
  let secrets: string[] = [];
  try {
    // Setup, start and stop are timed afresh for each load; the import happens once.
    record.timings = { import: record.timings.import };
    if (!record.cls) {
      const { cls, ms } = await importExtensionClass(record.definition);
      record.cls = cls;
      record.timings.import = (record.timings.import ?? 0) + ms;
    }
    const config = resolveConfig(record.definition, explicit ?? ownValue(ctx.options.extensionConfigs, name), ctx.env ?? processEnv);
    secrets = secretValues(record.definition.configFields, config);
    const args = dependencies ?? runtimeDependencies(record.cls, name, ctx.resolve);
    const instance = instantiate(record.cls, record.definition, config, args);
    Object.assign(record, { state: 'loaded', instance, config, secrets, error: undefined, setupDone: false, runtimeModels: undefined });
    ctx.changed();
    return instance;
  } catch (error) {
    throw ctx.fail(record, toExtensionError(error, name, 'load', secrets));
  }
}

/**
 * Runs setup() (once per load), start(), then listModels() if the extension has it (within the start
 * time limit; see runtime-models.ts). When start() throws or times out after a successful setup(),
 * stop() runs (within its own limit) so what setup() acquired is released.
 */
export async function startStep(ctx: StepContext, record: ExtensionRecord): Promise<void> {
  const { name } = record.definition;
  if (record.state === 'started') return;
  if (record.state !== 'loaded' && record.state !== 'stopped') {
    const fix = record.state === 'failed' ? `It failed: ${record.error?.message}` : `Load it first (manager.loadExtension('${name}')).`;
    throw new ExtensionStateError(stateMessage(name, 'start', record.state, fix), name);
  }
  const waiting = record.definition.dependsOn.filter((d) => ctx.state(d) !== 'started');
  if (waiting.length) {
    throw new ExtensionStateError(stateMessage(name, 'start', `waiting for ${waiting.join(', ')}`, 'Start what it depends on first, or use startAllExtensions().'), name);
  }
  if (!record.setupDone) {
    try {
      await tracedPhase(ctx, record, 'setup');
    } catch (error) {
      throw ctx.fail(record, error as ExtensionError);
    }
    record.setupDone = true;
  }
  try {
    await tracedPhase(ctx, record, 'start');
  } catch (error) {
    await tracedPhase(ctx, record, 'stop').catch((cleanup: Error) =>
      ctx.logger.error(`Cleaning up after the failed start of "${name}": ${cleanup.message}`),
    );
    throw ctx.fail(record, error as ExtensionError);
  }
  // Models known only now (listModels()); a failure there is a warning, never a failed start.
  record.runtimeModels = await collectRuntimeModels(record, phaseTimeout(ctx.options, name, 'start'), (message) => ctx.logger.warn(message));
  record.state = 'started';
  ctx.changed();
}

/** Runs stop(); the extension leaves routing before stop() runs. */
export async function stopStep(ctx: StepContext, record: ExtensionRecord, dependents: string[]): Promise<void> {
  const { name } = record.definition;
  if (record.state === 'stopped') return;
  if (record.state !== 'started') {
    throw new ExtensionStateError(stateMessage(name, 'stop', record.state, 'Only a started extension can be stopped.'), name);
  }
  const running = dependents.filter((d) => ctx.state(d) === 'started');
  if (running.length) {
    throw new ExtensionStateError(stateMessage(name, 'stop', `needed by started ${running.join(', ')}`, 'Stop those first (stopAllExtensions() orders everything).'), name);
  }
  record.state = 'stopped';
  ctx.changed();
  try {
    await tracedPhase(ctx, record, 'stop');
  } catch (error) {
    throw ctx.fail(record, error as ExtensionError);
  }
}

/**
 * Starts extensions in dependency order with `start` (the manager's serialized start, which skips an
 * extension that changed state meanwhile and fails one whose dependency failed). Returns the failures.
 */
export async function startInOrder(names: string[], definitions: ReadonlyMap<string, ExtensionDefinition>, start: (name: string) => Promise<void>): Promise<ExtensionError[]> {
  const failures: ExtensionError[] = [];
  for (const name of startOrder(names, definitions)) await start(name).catch((error: ExtensionError) => failures.push(error));
  return failures;
}

/** Fails an extension whose dependency failed, so it is not started; checked inside the extension's lock. */
export function failedDependencyError(ctx: StepContext, record: ExtensionRecord): ExtensionError | undefined {
  const name = record.definition.name;
  const failedDependency = record.definition.dependsOn.find((d) => ctx.state(d) === 'failed');
  if (!failedDependency) return undefined;
  const message = `Extension "${name}" was not started: the extension it depends on, "${failedDependency}", failed.`;
  return ctx.fail(record, new ExtensionDependencyError(message, name, [failedDependency]));
}
