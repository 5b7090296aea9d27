import { Logger, type Type } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { processEnv, resolveConfig, type EnvReader } from '../configuration/resolve-config.js';
import { maskConfig, redact, redactDeep, secretValues } from '../configuration/secrets.js';
import type { ExtensionHealth } from '../definition/definition.interface.js';
import { startOrder, withDependencies } from '../dependencies/extension-graph.js';
import { assertPackages } from '../dependencies/package-check.js';
import { discover } from '../discovery/discover.js';
import type { DiscoveryResult } from '../discovery/discovery.interface.js';
import {
  ExtensionBootError,
  ExtensionDependencyError,
  ExtensionError,
  ExtensionNotFound,
  ExtensionShutdownError,
  ExtensionStateError,
} from '../errors/index.js';
import { aggregateMessage, duplicateNameError, notFoundMessage, stateMessage } from '../errors/messages.js';
import { instantiate, runtimeDependencies } from '../lifecycle/instantiate.js';
import { runPhase, toExtensionError } from '../lifecycle/phase-runner.js';
import { DEFAULT_TIMEOUTS, type BootFailurePolicy, type ExtensionsRuntimeOptions } from '../module/extensions-options.interface.js';
import { ModelRouter } from '../routing/model-router.js';
import { didYouMean } from '../utils/did-you-mean.js';
import { withTimeout } from '../utils/with-timeout.js';
import { bootTree } from './boot-tree.js';
import { toExtensionInfo, toSummary } from './extension-views.js';
import type { ExtensionInfo, ExtensionRecord, ExtensionReport, ExtensionState, ExtensionsSummary, LifecyclePhase } from './manager.interface.js';

/** What the manager needs from its host: Nest's ModuleRef for DI at runtime, and how to read env vars. */
export interface ExtensionManagerHost {
  moduleRef?: ModuleRef;
  env?: EnvReader;
}

/**
 * Discovers, loads, starts, stops and unloads extensions; the seed's ExtensionManager. Injectable in a
 * Nest app (ExtensionsModule provides it), and usable on its own with `new ExtensionManager()`.
 */
export class ExtensionManager {
  private readonly records = new Map<string, ExtensionRecord>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly logger = new Logger('Extensions');
  private problems: ExtensionError[] = [];
  private started: string[] = [];
  private bootNames: string[] = [];
  private changes = 0;
  private booted = false;
  private stopping = false;
  private router?: ModelRouter;

  constructor(
    private readonly options: ExtensionsRuntimeOptions = {},
    private readonly host: ExtensionManagerHost = {},
  ) {}

  // ---- discovery ----------------------------------------------------------------------------

  /** Scans the search paths (default `['extensions']`) and registers what it finds; returns the names. */
  async discoverExtensions(paths: string[] = ['extensions']): Promise<string[]> {
    return this.register(await discover(paths));
  }

  /** Registers a discovery result; the same name from another file is a problem, not a replacement. */
  register(result: DiscoveryResult): string[] {
    for (const warning of result.warnings) this.logger.warn(warning);
    const names: string[] = [];
    const problems = [...result.problems];
    for (const definition of result.definitions) {
      const existing = this.records.get(definition.name);
      if (existing && existing.definition.source !== definition.source) {
        problems.push(duplicateNameError(definition.name, existing.definition.source, definition.source));
        continue;
      }
      if (!existing) {
        this.records.set(definition.name, {
          definition,
          state: 'discovered',
          secrets: [],
          setupDone: false,
          timings: { import: result.importMs[definition.name] },
          order: this.records.size,
        });
      }
      names.push(definition.name);
    }
    // A second scan of the same path finds the same problems again; keep and log each once.
    const fresh = problems.filter((problem) => !this.problems.some((known) => known.message === problem.message));
    for (const problem of fresh) this.logger.error(problem.message);
    this.problems.push(...fresh);
    return names;
  }

  /** Problems found by discovery: broken manifests, modules that failed to import, duplicates. */
  getDiscoveryProblems(): ExtensionError[] {
    return [...this.problems];
  }

  /** Every discovered extension, by name. */
  listAvailable(): Record<string, ExtensionInfo> {
    return Object.fromEntries([...this.records.values()].map((r) => [r.definition.name, toExtensionInfo(r)]));
  }

  /** Names of the extensions that are loaded (loaded, started or stopped). */
  listLoaded(): string[] {
    return [...this.records.values()].filter((r) => ['loaded', 'started', 'stopped'].includes(r.state)).map((r) => r.definition.name);
  }

  isLoaded(name: string): boolean {
    return this.listLoaded().includes(name);
  }

  /** The state of one extension. */
  getState(name: string): ExtensionState {
    return this.record(name).state;
  }

  /** The instance of a loaded extension, or undefined. */
  getInstance<T = unknown>(name: string): T | undefined {
    return this.records.get(name)?.instance as T | undefined;
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Builds the extension with its validated config; returns the instance. */
  loadExtension(name: string, config?: Record<string, unknown>): Promise<unknown> {
    return this.serialized(name, () => this.load(this.record(name), config));
  }

  /** Runs setup() (once per load) and start(); what it depends on must be started already. */
  startExtension(name: string): Promise<void> {
    return this.serialized(name, () => this.start(this.record(name)));
  }

  /** Runs stop(). Stopping a stopped extension does nothing. */
  stopExtension(name: string): Promise<void> {
    return this.serialized(name, () => this.stop(this.record(name)));
  }

  /** Stops the extension if it runs, then drops its instance: it is `discovered` again. */
  unloadExtension(name: string): Promise<void> {
    return this.serialized(name, async () => {
      const record = this.record(name);
      if (record.state === 'discovered') {
        throw new ExtensionStateError(stateMessage(name, 'unload', 'not loaded', 'Nothing to do.'), name);
      }
      const dependents = this.dependentsOf(name).filter((d) => this.records.get(d)?.state === 'started');
      if (dependents.length) {
        throw new ExtensionStateError(stateMessage(name, 'unload', `needed by started ${dependents.join(', ')}`, 'Stop those first.'), name);
      }
      if (record.state === 'started') await this.stop(record);
      Object.assign(record, { state: 'discovered', instance: undefined, config: undefined, error: undefined, setupDone: false, secrets: [], timings: { import: record.timings.import } });
      this.changed();
    });
  }

  /** Starts every loaded extension in dependency order; throws one error naming every failure. */
  async startAllExtensions(): Promise<void> {
    const names = [...this.records.values()].filter((r) => r.state === 'loaded' || r.state === 'stopped').map((r) => r.definition.name);
    const failures = await this.startInOrder(names);
    if (failures.length) throw new ExtensionBootError(aggregateMessage('Extensions failed to start', failures), failures);
  }

  /** Stops every started extension in reverse start order; every stop() runs even when one throws. */
  async stopAllExtensions(): Promise<void> {
    const order = [...this.started].reverse();
    const failures: ExtensionError[] = [];
    for (const name of order) {
      try {
        await this.stopExtension(name);
      } catch (error) {
        failures.push(error as ExtensionError);
      }
    }
    if (failures.length) throw new ExtensionShutdownError(aggregateMessage('Extensions failed to stop', failures), failures);
  }

  // ---- information --------------------------------------------------------------------------

  /** Info, state, masked config, live health (within the health timeout), timings and last error. */
  async getExtensionInfo(name: string): Promise<ExtensionReport> {
    const record = this.record(name);
    return {
      ...toExtensionInfo(record),
      config: maskConfig(record.definition.configFields, record.config),
      health: record.state === 'started' ? await this.healthWithin(name, this.options.healthTimeoutMs ?? 2000) : undefined,
      timings: { ...record.timings },
      error: record.error ? { code: record.error.code, message: record.error.message } : undefined,
    };
  }

  /** The extension that serves a model, if any routable one does. */
  findExtensionForModel(model: string): string | undefined {
    return this.modelRouter.findExtensionForModel(model);
  }

  /** Counts by state and one line of facts per extension. */
  getSummary(): ExtensionsSummary {
    return toSummary(this.allRecords(), this.problems);
  }

  /** The router over this manager's extensions. */
  get modelRouter(): ModelRouter {
    return (this.router ??= new ModelRouter(this));
  }

  /** Runs an extension's healthCheck() (no timeout; callers add theirs), scrubbed of secrets. */
  async runHealthCheck(name: string): Promise<ExtensionHealth> {
    const record = this.record(name);
    const instance = record.instance as { healthCheck?: () => ExtensionHealth | Promise<ExtensionHealth> } | undefined;
    if (!instance || typeof instance.healthCheck !== 'function') return { healthy: record.state === 'started' };
    try {
      const result = await instance.healthCheck();
      const health = result && typeof result === 'object' ? result : { healthy: Boolean(result) };
      return redactDeep(maskConfigKeys(health, record), record.secrets);
    } catch (error) {
      throw new Error(redact((error as Error)?.message ?? String(error), record.secrets));
    }
  }

  // ---- used by ExtensionsModule, the router and health ------------------------------------

  /** Increments whenever the set of routable extensions may have changed. */
  get changeCount(): number {
    return this.changes;
  }

  /** Records of every extension, in discovery order. */
  allRecords(): ExtensionRecord[] {
    return [...this.records.values()];
  }

  /** True once boot finished and until shutdown begins. */
  get isBooted(): boolean {
    return this.booted && !this.stopping;
  }

  get isShuttingDown(): boolean {
    return this.stopping;
  }

  /** The extensions selected at boot. */
  get bootExtensions(): string[] {
    return [...this.bootNames];
  }

  policyFor(name: string): BootFailurePolicy {
    return this.options.extensionOptions?.[name]?.onBootFailure ?? this.options.onBootFailure ?? 'abort';
  }

  /** Extensions whose failure fails readiness: the boot extensions whose policy is `abort`. */
  requiredExtensions(): string[] {
    return this.bootNames.filter((name) => this.policyFor(name) === 'abort');
  }

  /** Selects the boot extensions (plus their dependencies) and records failures found before the app compiles. */
  selectForBoot(selected: string[] | undefined, failures: Map<string, ExtensionError>, classes: Map<string, Type<unknown>>): void {
    const names = selected ?? [...this.records.keys()];
    for (const name of names) this.record(name);
    this.bootNames = withDependencies(names, new Map([...this.records].map(([n, r]) => [n, r.definition])));
    for (const name of this.bootNames) {
      const record = this.record(name);
      const failure = failures.get(name);
      if (failure) this.fail(record, failure);
      record.cls = classes.get(name) ?? record.cls;
    }
  }

  /** Builds a boot extension with the dependencies Nest injected; a failure is recorded, not thrown. */
  async loadForBoot(name: string, dependencies: unknown[]): Promise<unknown> {
    const record = this.record(name);
    // Narrowed out by forRootAsync's factory, or already failed before the app compiled.
    if (!this.bootNames.includes(name) || record.state === 'failed') return null;
    try {
      return await this.load(record, undefined, dependencies);
    } catch {
      return null;
    }
  }

  /**
   * Starts the boot extensions in dependency order. With `abort`, any failure stops what started and
   * throws one error naming every failed extension; with `continue` the rest serve.
   */
  async boot(): Promise<void> {
    const known = [...this.records.keys()];
    for (const name of Object.keys(this.options.extensionConfigs ?? {}).filter((n) => !this.records.has(n))) {
      this.logger.warn(`extensionConfigs names "${name}", which was not discovered; its config is ignored.${didYouMean(name, known)}`);
    }
    const failedEarly = this.bootNames.filter((n) => this.record(n).state === 'failed').map((n) => this.record(n).error!);
    if (failedEarly.some((e) => this.policyFor(e.extensionName!) === 'abort')) {
      this.logger.error(bootTree(this.bootNames.map((n) => this.record(n))));
      throw new ExtensionBootError(aggregateMessage('Extensions failed to boot', failedEarly), failedEarly);
    }
    const failures = this.options.autoStart === false ? [] : await this.startInOrder(this.bootNames.filter((n) => this.record(n).state === 'loaded'));
    const all = [...failedEarly, ...failures];
    const tree = bootTree(this.bootNames.map((n) => this.record(n)));
    if (all.some((e) => this.policyFor(e.extensionName!) === 'abort')) {
      this.logger.error(tree);
      await this.stopAllExtensions().catch((error: Error) => this.logger.error(error.message));
      throw new ExtensionBootError(aggregateMessage('Extensions failed to boot', all), all);
    }
    (all.length ? this.logger.warn.bind(this.logger) : this.logger.log.bind(this.logger))(tree);
    const conflicts = Object.entries(this.modelRouter.conflicts());
    if (conflicts.length) {
      const lines = conflicts.map(([model, extensions]) => `\n  - ${model}: ${extensions.join(', ')} (routes to ${this.findExtensionForModel(model)})`);
      this.logger.warn(`Models served by several extensions; routing picks by priority, then cost, then discovery order:${lines.join('')}`);
    }
    this.booted = true;
  }

  /** Marks the start of shutdown: readiness fails from here on. */
  beginShutdown(): void {
    this.stopping = true;
  }

  // ---- internals ----------------------------------------------------------------------------

  private record(name: string): ExtensionRecord {
    const record = this.records.get(name);
    if (!record) {
      const known = [...this.records.keys()];
      throw new ExtensionNotFound(notFoundMessage(name, didYouMean(name, known), known), name);
    }
    return record;
  }

  private changed(): void {
    this.changes++;
  }

  private fail(record: ExtensionRecord, error: ExtensionError): ExtensionError {
    record.state = 'failed';
    record.error = error;
    this.changed();
    return error;
  }

  /** Runs calls for one extension one after another, so concurrent calls see each other's result. */
  private serialized<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    this.locks.set(name, next.catch(() => undefined));
    return next;
  }

  private dependentsOf(name: string): string[] {
    return [...this.records.values()].filter((r) => r.definition.dependsOn.includes(name)).map((r) => r.definition.name);
  }

  private async load(record: ExtensionRecord, explicit?: Record<string, unknown>, dependencies?: unknown[]): Promise<unknown> {
    const { name } = record.definition;
    if (!['discovered', 'failed'].includes(record.state)) {
      throw new ExtensionStateError(stateMessage(name, 'load', record.state, `Unload it first (manager.unloadExtension('${name}')).`), name);
    }
    let secrets: string[] = [];
    try {
      // Setup, start and stop are timed afresh for each load; the import happened once.
      record.timings = { import: record.timings.import };
      if (!record.cls) {
        const began = performance.now();
        assertPackages(record.definition);
        record.cls = await record.definition.loadClass();
        record.timings.import = (record.timings.import ?? 0) + Math.round(performance.now() - began);
      }
      const config = resolveConfig(record.definition, explicit ?? this.options.extensionConfigs?.[name], this.host.env ?? processEnv);
      secrets = secretValues(record.definition.configFields, config);
      const args = dependencies ?? runtimeDependencies(record.cls, name, this.host.moduleRef);
      const instance = instantiate(record.cls, record.definition, config, args);
      Object.assign(record, { state: 'loaded', instance, config, secrets, error: undefined, setupDone: false });
      this.changed();
      return instance;
    } catch (error) {
      throw this.fail(record, toExtensionError(error, name, 'load', secrets));
    }
  }

  private async start(record: ExtensionRecord): Promise<void> {
    const { name } = record.definition;
    if (record.state === 'started') return;
    if (record.state !== 'loaded' && record.state !== 'stopped') {
      const fix = record.state === 'failed' ? `It failed: ${record.error?.message}` : `Load it first (manager.loadExtension('${name}')).`;
      throw new ExtensionStateError(stateMessage(name, 'start', record.state, fix), name);
    }
    const waiting = record.definition.dependsOn.filter((d) => this.records.get(d)?.state !== 'started');
    if (waiting.length) {
      throw new ExtensionStateError(stateMessage(name, 'start', `waiting for ${waiting.join(', ')}`, 'Start what it depends on first, or use startAllExtensions().'), name);
    }
    try {
      if (!record.setupDone) {
        await runPhase(record, 'setup', this.timeoutFor(name, 'setup'));
        record.setupDone = true;
      }
      await runPhase(record, 'start', this.timeoutFor(name, 'start'));
    } catch (error) {
      throw this.fail(record, error as ExtensionError);
    }
    record.state = 'started';
    this.started = [...this.started.filter((n) => n !== name), name];
    this.changed();
  }

  private async stop(record: ExtensionRecord): Promise<void> {
    const { name } = record.definition;
    if (record.state === 'stopped') return;
    if (record.state !== 'started') {
      throw new ExtensionStateError(stateMessage(name, 'stop', record.state, 'Only a started extension can be stopped.'), name);
    }
    // Leave routing before stop() runs, so no request is sent to an extension that is stopping.
    record.state = 'stopped';
    this.started = this.started.filter((n) => n !== name);
    this.changed();
    try {
      await runPhase(record, 'stop', this.timeoutFor(name, 'stop'));
    } catch (error) {
      throw this.fail(record, error as ExtensionError);
    }
  }

  private async startInOrder(names: string[]): Promise<ExtensionError[]> {
    const order = startOrder(names, new Map([...this.records].map(([n, r]) => [n, r.definition])));
    const failures: ExtensionError[] = [];
    for (const name of order) {
      const record = this.record(name);
      const failedDependency = record.definition.dependsOn.find((d) => this.records.get(d)?.state === 'failed');
      if (failedDependency) {
        failures.push(
          this.fail(record, new ExtensionDependencyError(`Extension "${name}" was not started: the extension it depends on, "${failedDependency}", failed.`, name, [failedDependency])),
        );
        continue;
      }
      try {
        await this.startExtension(name);
      } catch (error) {
        failures.push(error as ExtensionError);
      }
    }
    return failures;
  }

  private timeoutFor(name: string, phase: LifecyclePhase): number {
    const own = this.options.extensionOptions?.[name]?.timeouts?.[phase];
    return own ?? this.options.timeouts?.[phase] ?? DEFAULT_TIMEOUTS[phase];
  }

  private async healthWithin(name: string, ms: number): Promise<ExtensionHealth> {
    try {
      return await withTimeout(() => this.runHealthCheck(name), ms, () => new Error(`healthCheck() did not answer within ${ms} ms`));
    } catch (error) {
      return { healthy: false, error: (error as Error).message };
    }
  }
}

/** Health details whose key names a secret config field are masked too. */
function maskConfigKeys(health: ExtensionHealth, record: ExtensionRecord): ExtensionHealth {
  const masked = maskConfig(record.definition.configFields, health as Record<string, unknown>);
  return { ...masked, healthy: health.healthy } as ExtensionHealth;
}
