import { ExtensionConfigError, type ExtensionIssue } from '../errors/index.js';
import { didYouMean } from '../utils/did-you-mean.js';
import { ownValue } from '../utils/own.js';
import { timeLimitProblem } from '../utils/time-limits.js';
import type { LifecyclePhase } from './manager.interface.js';
import { resilienceIssues, type ResilienceOptions } from '../routing/resilience/resilience.options.js';
import { telemetryIssues, type TelemetryOptions } from '../telemetry/telemetry.options.js';

/** What happens when an extension fails to load, set up or start at boot. */
export type BootFailurePolicy = 'abort' | 'continue';

/** Time limits of the lifecycle phases, in milliseconds. */
export interface PhaseTimeouts {
  /** Default 10000. */
  setup: number;
  /** Default 10000. */
  start: number;
  /** Default 15000. */
  stop: number;
}

export const DEFAULT_TIMEOUTS: PhaseTimeouts = { setup: 10_000, start: 10_000, stop: 15_000 };

/** Default time limit of the shutdown's drain of in-flight router calls, in ms. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/** Default time limit of one healthCheck() call, in ms. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 2000;

/** Settings that one extension may override. */
export interface PerExtensionOptions {
  /** Overrides the global `onBootFailure` for this extension. */
  onBootFailure?: BootFailurePolicy;
  /** Overrides the global phase timeouts for this extension. */
  timeouts?: Partial<PhaseTimeouts>;
}

/** Options the manager reads; `forRootAsync` may compute them from injected providers. */
export interface ExtensionsRuntimeOptions {
  /** Explicit config per extension name; beats environment variables and defaults. Default `{}`. */
  extensionConfigs?: Record<string, Record<string, unknown>>;
  /** `abort` (default): boot fails, naming every failed extension. `continue`: the rest serve. */
  onBootFailure?: BootFailurePolicy;
  /** Phase timeouts for every extension. Default `{ setup: 10000, start: 10000, stop: 15000 }`. */
  timeouts?: Partial<PhaseTimeouts>;
  /** Per-extension overrides of `onBootFailure` and `timeouts`, by extension name. Default `{}`. */
  extensionOptions?: Record<string, PerExtensionOptions>;
  /** Time limit of one extension's healthCheck() in ms; its signal aborts then. Default 2000. */
  healthTimeoutMs?: number;
  /**
   * Reuse a healthCheck() answer for this many ms, so frequent probes do not call a provider's API
   * each time; concurrent probes always share one run. Default 0 (no caching).
   */
  healthCacheMs?: number;
  /**
   * After shutdown begins, keep serving this long with readiness at 503 before the HTTP server closes
   * and stop() runs, so a load balancer drains first. Default 0.
   */
  shutdownDelayMs?: number;
  /**
   * On shutdown, after `shutdownDelayMs`: how long router calls still in flight (and calls that arrive
   * meanwhile) may take to finish before they are aborted, so HTTP responses and streams end and the
   * server can close; then stop() runs. 0 aborts them at once. Default 10000.
   */
  drainTimeoutMs?: number;
  /** Retries, time limits, fallbacks and circuit breakers of router.chat()/chatStream(); see the README's "Resilience". */
  resilience?: ResilienceOptions;
  /** Where traces and metrics go (default: OpenTelemetry's global providers), and whether content is recorded; see the README's "Observability". */
  telemetry?: TelemetryOptions;
  /** Run setup() and start() in onModuleInit. Default `true`; `false` leaves starting to the caller. */
  autoStart?: boolean;
}

function checkMs(value: unknown, field: string, allowZero: boolean, issues: ExtensionIssue[]): void {
  const problem = value === undefined ? undefined : timeLimitProblem(value, allowZero);
  if (problem) issues.push({ field, message: problem });
}

const PHASES = Object.keys(DEFAULT_TIMEOUTS) as LifecyclePhase[];
const POLICIES: BootFailurePolicy[] = ['abort', 'continue'];

function checkTimeouts(timeouts: Partial<PhaseTimeouts> | undefined, prefix: string, issues: ExtensionIssue[]): void {
  if (timeouts !== undefined && (timeouts === null || typeof timeouts !== 'object' || Array.isArray(timeouts))) {
    issues.push({ field: prefix, message: `must be an object such as { start: 10000 } (got ${timeouts === null ? 'null' : typeof timeouts})` });
    return;
  }
  for (const phase of PHASES) checkMs(timeouts?.[phase], `${prefix}.${phase}`, false, issues);
  for (const key of Object.keys(timeouts ?? {}).filter((k) => !(PHASES as string[]).includes(k))) {
    issues.push({ field: `${prefix}.${key}`, message: `is not a phase.${didYouMean(key, PHASES) || ` The phases are ${PHASES.join(', ')}.`}` });
  }
}

function checkPolicy(value: unknown, field: string, issues: ExtensionIssue[]): void {
  if (value !== undefined && !POLICIES.includes(value as BootFailurePolicy)) {
    issues.push({ field, message: `must be 'abort' or 'continue' (got ${typeof value === 'string' ? JSON.stringify(value) : typeof value})` });
  }
}

/** Throws one ExtensionConfigError listing every time value a timer cannot honour, unknown phase and unknown policy. */
export function validateRuntimeOptions(options: ExtensionsRuntimeOptions): void {
  const issues: ExtensionIssue[] = [];
  checkTimeouts(options.timeouts, 'timeouts', issues);
  checkPolicy(options.onBootFailure, 'onBootFailure', issues);
  for (const [name, own] of Object.entries(options.extensionOptions ?? {})) {
    checkTimeouts(own?.timeouts, `extensionOptions.${name}.timeouts`, issues);
    checkPolicy(own?.onBootFailure, `extensionOptions.${name}.onBootFailure`, issues);
  }
  checkMs(options.healthTimeoutMs, 'healthTimeoutMs', false, issues);
  checkMs(options.healthCacheMs, 'healthCacheMs', true, issues);
  checkMs(options.shutdownDelayMs, 'shutdownDelayMs', true, issues);
  checkMs(options.drainTimeoutMs, 'drainTimeoutMs', true, issues);
  issues.push(...resilienceIssues(options.resilience), ...telemetryIssues(options.telemetry));
  if (options.autoStart !== undefined && typeof options.autoStart !== 'boolean') {
    issues.push({ field: 'autoStart', message: `must be true or false (got ${typeof options.autoStart})` });
  }
  if (issues.length) {
    const list = issues.map((i) => `\n  - ${i.field}: ${i.message}`).join('');
    throw new ExtensionConfigError(`Invalid ExtensionsModule options (${issues.length} problem${issues.length === 1 ? '' : 's'}):${list}`, undefined, issues);
  }
}

/** The time limit of a phase for one extension: its own, else the global one, else the default. */
export function phaseTimeout(options: ExtensionsRuntimeOptions, name: string, phase: LifecyclePhase): number {
  return ownValue(options.extensionOptions, name)?.timeouts?.[phase] ?? options.timeouts?.[phase] ?? DEFAULT_TIMEOUTS[phase];
}

export function bootPolicy(options: ExtensionsRuntimeOptions, name: string): BootFailurePolicy {
  return ownValue(options.extensionOptions, name)?.onBootFailure ?? options.onBootFailure ?? 'abort';
}
