import { bootPolicy, type BootFailurePolicy, type ExtensionsRuntimeOptions } from './manager.options.js';

/**
 * What the app's boot decided, for readiness: the extensions selected at boot, their failure
 * policies, and whether the app is starting, serving or shutting down. ExtensionsModule sets it.
 */
export class BootState {
  private selected: string[] = [];
  private selectedSet = new Set<string>();
  private phase: 'starting' | 'serving' | 'stopping' = 'starting';

  constructor(private readonly options: ExtensionsRuntimeOptions) {}

  /** The extensions selected at boot (with what they depend on). */
  get extensions(): string[] {
    return [...this.selected];
  }

  set extensions(names: string[]) {
    this.selected = [...names];
    this.selectedSet = new Set(names);
  }

  /** Whether an extension was selected at boot (a set lookup: called once per extension while booting). */
  has(name: string): boolean {
    return this.selectedSet.has(name);
  }

  policyFor(name: string): BootFailurePolicy {
    return bootPolicy(this.options, name);
  }

  /** Extensions whose failure fails readiness: the boot extensions whose policy is `abort`. */
  required(): string[] {
    return this.selected.filter((name) => this.policyFor(name) === 'abort');
  }

  /** True once boot finished and until shutdown begins. */
  get isBooted(): boolean {
    return this.phase === 'serving';
  }

  get isShuttingDown(): boolean {
    return this.phase === 'stopping';
  }

  markBooted(): void {
    this.phase = 'serving';
  }

  /** Readiness fails from here on. */
  beginShutdown(): void {
    this.phase = 'stopping';
  }
}
