import { Logger } from '@nestjs/common';
import type { EnvReader } from '../configuration/resolve-config.js';
import type { ExtensionHealth } from '../definition/definition.interface.js';
import { discover, type DiscoverOptions } from '../discovery/discover.js';
import type { DiscoveryResult } from '../discovery/discovery.interface.js';
import { ExtensionBootError, ExtensionNotFound, ExtensionShutdownError, ExtensionStateError, type ExtensionError } from '../errors/index.js';
import { aggregateMessage, notFoundMessage, stateMessage } from '../errors/messages.js';
import { ModelRouter } from '../routing/model-router.js';
import type { RoutingSource } from '../routing/routing.interface.js';
import { didYouMean } from '../utils/did-you-mean.js';
import { createExtensionHandle } from './extension-handle.js';
import { toExtensionInfo, toReport, toSummary, unusableError } from './extension-views.js';
import { HealthRunner } from './health-runner.js';
import { managerRouter } from './manager-router.js';
import type { DependencyResolver } from './instantiate.js';
import { KeyedSerializer } from './keyed-serializer.js';
import { failedDependencyError, loadStep, startInOrder, startStep, stopStep, type StepContext } from './lifecycle-steps.js';
import type { ExtensionInfo, ExtensionRecord, ExtensionReport, ExtensionState, ExtensionsSummary } from './manager.interface.js';
import { BootState } from './boot-state.js';
import { DEFAULT_HEALTH_TIMEOUT_MS, validateRuntimeOptions, type ExtensionsRuntimeOptions } from './manager.options.js';
import { ExtensionRegistry } from './registry.js';

/** What the manager needs from its host: how to resolve constructor dependencies at runtime, and how to read env vars. */
export interface ExtensionManagerHost {
  resolve?: DependencyResolver;
  env?: EnvReader;
}

/**
 * Discovers, loads, starts, stops and unloads extensions; the seed's ExtensionManager. A registry and
 * state machine with no Nest app required (`new ExtensionManager()`); ExtensionsModule provides it.
 */
export class ExtensionManager implements RoutingSource {
  private readonly registry = new ExtensionRegistry();
  private readonly serializer = new KeyedSerializer();
  private readonly logger = new Logger('Extensions');
  private readonly health: HealthRunner;
  private readonly steps: StepContext;
  private started: string[] = [];
  private router?: ModelRouter;
  /** What the app's boot selected and where it stands (set by ExtensionsModule; read by readiness). */
  readonly boot: BootState;

  private readonly options: ExtensionsRuntimeOptions;

  constructor(options?: ExtensionsRuntimeOptions | null, host: ExtensionManagerHost = {}) {
    this.options = options ?? {};
    validateRuntimeOptions(this.options);
    this.boot = new BootState(this.options);
    this.health = new HealthRunner(this.options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS, this.options.healthCacheMs ?? 0);
    this.steps = {
      options: this.options,
      env: host.env,
      resolve: host.resolve,
      logger: this.logger,
      state: (name) => this.registry.get(name)?.state,
      changed: () => this.registry.touch(),
      fail: (record, error) => this.fail(record, error),
      span: (what, attributes) => this.modelRouter.telemetry.phase(what, attributes),
    };
  }

  // ---- discovery ----------------------------------------------------------------------------

  /** Scans the search paths (default `['extensions']`) and registers what it finds; returns the names. */
  async discoverExtensions(paths: string[] = ['extensions'], options: DiscoverOptions = {}): Promise<string[]> {
    return this.register(await discover(paths, options));
  }

  /** Registers a discovery result; the same name from another file is a problem, not a replacement. */
  register(result: DiscoveryResult): string[] {
    for (const warning of result.warnings) this.logger.warn(warning);
    const handleOf = (name: string) => createExtensionHandle(name, () => this.registry.get(name)!, () => unusableError(name, this.registry.get(name)));
    const { names, problems } = this.registry.register(result, handleOf);
    for (const problem of problems) this.logger.error(problem.message);
    return names;
  }

  /** Problems found by discovery: broken manifests, modules that failed to import, duplicates. */
  getDiscoveryProblems(): ExtensionError[] {
    return this.registry.problems();
  }

  /** Every discovered extension, by name. */
  listAvailable(): Record<string, ExtensionInfo> {
    return Object.fromEntries(this.registry.all().map((r) => [r.definition.name, toExtensionInfo(r)]));
  }

  /** Names of the extensions that are loaded (loaded, started or stopped). */
  listLoaded(): string[] {
    return this.registry.all().filter((r) => r.state === 'loaded' || r.state === 'started' || r.state === 'stopped').map((r) => r.definition.name);
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
    return this.registry.get(name)?.instance as T | undefined;
  }

  /**
   * A stable handle to an extension (what `@InjectExtension` injects and `route()` returns): it always
   * acts on the instance loaded now, and errors its methods throw are scrubbed of secrets.
   */
  getHandle<T = unknown>(name: string): T {
    return this.record(name).handle as T;
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Builds the extension with its validated config; returns the instance. */
  loadExtension(name: string, config?: Record<string, unknown>): Promise<unknown> {
    return this.serialized(name, () => loadStep(this.steps, this.record(name), config));
  }

  /** Runs setup() (once per load) and start(); what it depends on must be started already. */
  startExtension(name: string): Promise<void> {
    return this.serialized(name, async () => {
      await startStep(this.steps, this.record(name));
      this.started = [...this.started.filter((n) => n !== name), name];
    });
  }

  /** Runs stop(); refused while a started extension depends on it. Stopping a stopped extension does nothing. */
  stopExtension(name: string): Promise<void> {
    return this.serialized(name, () => this.stop(name));
  }

  /** Stops the extension if it runs, then drops its instance: it is `discovered` again. */
  unloadExtension(name: string): Promise<void> {
    return this.serialized(name, async () => {
      const record = this.record(name);
      if (record.state === 'discovered') throw new ExtensionStateError(stateMessage(name, 'unload', 'not loaded', 'Nothing to do.'), name);
      const dependents = this.registry.dependentsOf(name).filter((d) => this.registry.get(d)?.state === 'started');
      if (dependents.length) {
        throw new ExtensionStateError(stateMessage(name, 'unload', `needed by started ${dependents.join(', ')}`, 'Stop those first.'), name);
      }
      if (record.state === 'started') await this.stop(name);
      Object.assign(record, { state: 'discovered', instance: undefined, config: undefined, error: undefined, setupDone: false, secrets: [], runtimeModels: undefined, timings: { import: record.timings.import } });
      this.health.forget(name);
      this.registry.touch();
    });
  }

  /** Starts every loaded extension in dependency order; throws one error naming every failure. */
  async startAllExtensions(): Promise<void> {
    const failures = await this.startExtensions(this.registry.all().filter((r) => r.state === 'loaded' || r.state === 'stopped').map((r) => r.definition.name));
    if (failures.length) throw new ExtensionBootError(aggregateMessage('Extensions failed to start', failures), failures);
  }

  /** Stops every started extension in reverse start order; every stop() runs even when one throws. */
  async stopAllExtensions(): Promise<void> {
    const failures: ExtensionError[] = [];
    for (const name of [...this.started].reverse()) {
      await this.stopExtension(name).catch((error: ExtensionError) => failures.push(error));
    }
    if (failures.length) throw new ExtensionShutdownError(aggregateMessage('Extensions failed to stop', failures), failures);
  }

  /**
   * Starts the named extensions in dependency order; one whose dependency failed is not started.
   * Returns the failures (also recorded on each extension).
   */
  async startExtensions(names: string[]): Promise<ExtensionError[]> {
    return startInOrder(names, this.registry.definitions(), (name) =>
      this.serialized(name, async () => {
        const record = this.record(name);
        // Unloaded, started or failed since the list was made: not this call's business any more.
        if (record.state !== 'loaded' && record.state !== 'stopped') return;
        const failed = failedDependencyError(this.steps, record);
        if (failed) throw failed;
        await startStep(this.steps, record);
        this.started = [...this.started.filter((n) => n !== name), name];
      }),
    );
  }

  // ---- information --------------------------------------------------------------------------

  /** Info, state, masked config, live health (within the health timeout), timings and last error. */
  async getExtensionInfo(name: string): Promise<ExtensionReport> {
    const record = this.record(name);
    return toReport(record, record.state === 'started' ? await this.checkHealth(name) : undefined);
  }

  /** healthCheck({ signal }) within `healthTimeoutMs` (its signal aborts there), scrubbed of secrets; never throws; probes share one call. */
  checkHealth(name: string): Promise<ExtensionHealth> {
    return this.health.check(this.record(name));
  }

  /** As checkHealth(), but an answer known at once is returned as it is, not in a promise (the /health path). */
  checkHealthNow(name: string): ExtensionHealth | Promise<ExtensionHealth> {
    return this.health.checkNow(this.record(name));
  }

  /** The extension that serves a model, if any routable one does. */
  findExtensionForModel(model: string): string | undefined {
    return this.modelRouter.findExtensionForModel(model);
  }

  /** Counts by state and one line of facts per extension. */
  getSummary(): ExtensionsSummary {
    return toSummary(this.registry.all(), this.registry.problems());
  }

  /** The router over this manager's extensions. */
  get modelRouter(): ModelRouter {
    return (this.router ??= managerRouter(this, () => this.options, this.health, this.logger));
  }

  // ---- the routing snapshot, and what ExtensionsModule's boot and health read ---------------

  /** Increments whenever the set of routable extensions may have changed. */
  get version(): number {
    return this.registry.version;
  }

  /** Records of every extension, in discovery order. */
  allRecords(): readonly ExtensionRecord[] {
    return this.registry.all();
  }

  /** The routing snapshot: every record. */
  extensions(): readonly ExtensionRecord[] {
    return this.registry.all();
  }

  /** Records a failure found outside the manager (at boot, before Nest built the extension). */
  markFailed(name: string, error: ExtensionError): void {
    this.fail(this.record(name), error);
  }

  /** Gives an extension the class the boot plan imported, so it is not imported twice. */
  provideClass(name: string, cls: NonNullable<ExtensionRecord['cls']>): void {
    this.record(name).cls = cls;
  }

  /** Builds a boot extension with the constructor dependencies Nest injected. */
  loadWithDependencies(name: string, dependencies: unknown[]): Promise<unknown> {
    return this.serialized(name, () => loadStep(this.steps, this.record(name), undefined, dependencies));
  }

  // ---- internals ----------------------------------------------------------------------------

  private record(name: string): ExtensionRecord {
    const record = this.registry.get(name);
    if (!record) {
      const known = this.registry.names();
      throw new ExtensionNotFound(notFoundMessage(name, didYouMean(name, known), known), name);
    }
    return record;
  }

  private fail(record: ExtensionRecord, error: ExtensionError): ExtensionError {
    record.state = 'failed';
    record.error = error;
    this.started = this.started.filter((n) => n !== record.definition.name);
    this.registry.touch();
    return error;
  }

  private async stop(name: string): Promise<void> {
    await stopStep(this.steps, this.record(name), this.registry.dependentsOf(name));
    this.started = this.started.filter((n) => n !== name);
  }

  /** Operations on extensions that depend on each other run one at a time; unrelated ones run in parallel. */
  private serialized<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.serializer.run(this.registry.component(name), fn);
  }
}
