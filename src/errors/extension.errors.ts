/** Stable error codes; the README documents each one with how to fix it. */
export const ExtensionErrorCode = {
  NOT_FOUND: 'EXT_ERR_NOT_FOUND',
  LOAD: 'EXT_ERR_LOAD',
  CONFIG: 'EXT_ERR_CONFIG',
  DEPENDENCY: 'EXT_ERR_DEPENDENCY',
  VALIDATION: 'EXT_ERR_VALIDATION',
  MODEL_NOT_FOUND: 'EXT_ERR_MODEL_NOT_FOUND',
  STATE: 'EXT_ERR_STATE',
  TIMEOUT: 'EXT_ERR_TIMEOUT',
  LIFECYCLE: 'EXT_ERR_LIFECYCLE',
  BOOT: 'EXT_ERR_BOOT',
  SHUTDOWN: 'EXT_ERR_SHUTDOWN',
  UNSUPPORTED: 'EXT_ERR_UNSUPPORTED',
  PROVIDER: 'EXT_ERR_PROVIDER',
} as const;
export type ExtensionErrorCode = (typeof ExtensionErrorCode)[keyof typeof ExtensionErrorCode];

/** One problem found in a manifest, a class or a config: the field it concerns and what is wrong. */
export interface ExtensionIssue {
  field: string;
  message: string;
  /** A required setting that has no value: the environment variable (or option) that would give it one. */
  unset?: string;
}

/** A package that is installed in a version outside the required range. */
export interface MismatchedPackage {
  package: string;
  required: string;
  installed: string;
}

/** An installed package whose package.json cannot be read (not JSON, not an object, unreadable). */
export interface UnreadablePackage {
  package: string;
  /** The package.json that could not be read. */
  file: string;
  reason: string;
}

/**
 * Setup errors (a name not found, config, packages, a malformed manifest) describe files and settings,
 * not code: their stack is the message alone, so a boot that fails on a missing env var prints what
 * to set, not frames of this library and of Nest's hooks.
 */
function withoutFrames(error: Error): void {
  Object.defineProperty(error, 'stack', { value: `${error.name}: ${error.message}`, writable: true, configurable: true });
}

/** A list already in the message: kept as a property, left out of what util.inspect (an uncaught error) prints. */
function hidden(error: Error, key: string): void {
  Object.defineProperty(error, key, { enumerable: false });
}

/** Base class of every error this library throws. */
export class ExtensionError extends Error {
  /** The extension concerned; not an own property when there is none (no `extensionName: undefined` in printed errors). */
  declare readonly extensionName?: string;

  constructor(
    message: string,
    readonly code: ExtensionErrorCode,
    extensionName?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    if (extensionName !== undefined) Object.defineProperty(this, 'extensionName', { value: extensionName, enumerable: true });
  }
}

/** No extension of that name was discovered. */
export class ExtensionNotFound extends ExtensionError {
  constructor(message: string, extensionName: string) {
    super(message, ExtensionErrorCode.NOT_FOUND, extensionName);
    withoutFrames(this);
  }
}

/** A module could not be imported or an extension could not be built. */
export class ExtensionLoadError extends ExtensionError {
  constructor(message: string, extensionName?: string, options?: { cause?: unknown }) {
    super(message, ExtensionErrorCode.LOAD, extensionName, options);
  }
}

/** The configuration of an extension is invalid; `issues` lists every problem at once. */
export class ExtensionConfigError extends ExtensionError {
  constructor(
    message: string,
    extensionName: string | undefined,
    readonly issues: ExtensionIssue[],
  ) {
    super(message, ExtensionErrorCode.CONFIG, extensionName);
    hidden(this, 'issues');
    withoutFrames(this);
  }

  /**
   * When the only problems are required settings with no value (an API key not set), the extension is
   * not configured rather than broken: the environment variables (or options) to set. Else undefined.
   */
  get unsetSettings(): string[] | undefined {
    return this.issues.length && this.issues.every((i) => i.unset) ? this.issues.map((i) => i.unset!) : undefined;
  }
}

/** Required npm packages (or other extensions) are missing or in the wrong version. */
export class ExtensionDependencyError extends ExtensionError {
  constructor(
    message: string,
    extensionName: string | undefined,
    readonly missing: string[],
    readonly mismatched: MismatchedPackage[] = [],
    readonly unreadable: UnreadablePackage[] = [],
  ) {
    super(message, ExtensionErrorCode.DEPENDENCY, extensionName);
    withoutFrames(this);
  }
}

/** A manifest or an extension class is malformed; `issues` lists every problem at once. */
export class ExtensionValidationError extends ExtensionError {
  constructor(
    message: string,
    extensionName: string | undefined,
    readonly issues: ExtensionIssue[],
    readonly file?: string,
  ) {
    super(message, ExtensionErrorCode.VALIDATION, extensionName);
    hidden(this, 'issues');
    withoutFrames(this);
  }
}

type Lazy<T> = T | (() => T);

/**
 * No routable extension serves the requested model. The message and `closeMatches` may be computed on
 * first read, so a stream of unknown names costs no search over every model name.
 */
export class ModelNotFound extends ExtensionError {
  private lazyMessage?: Lazy<string>;
  private lazyMatches: Lazy<string[]>;

  constructor(message: Lazy<string>, readonly model: string, closeMatches: Lazy<string[]>) {
    super(typeof message === 'string' ? message : '', ExtensionErrorCode.MODEL_NOT_FOUND);
    this.lazyMatches = closeMatches;
    if (typeof message === 'function') {
      this.lazyMessage = message;
      Object.defineProperty(this, 'message', {
        configurable: true,
        enumerable: false,
        get: () => (typeof this.lazyMessage === 'function' ? (this.lazyMessage = this.lazyMessage()) : this.lazyMessage),
        set: (value: string) => (this.lazyMessage = value),
      });
    }
  }

  /** Model names close to the one asked for (at most five), closest first. */
  get closeMatches(): string[] {
    if (typeof this.lazyMatches === 'function') this.lazyMatches = this.lazyMatches();
    return this.lazyMatches;
  }
}

/** A lifecycle step was called in a state that does not allow it. */
export class ExtensionStateError extends ExtensionError {
  constructor(message: string, extensionName: string) {
    super(message, ExtensionErrorCode.STATE, extensionName);
  }
}

/** A lifecycle phase (setup, start, stop) did not finish within its timeout. */
export class ExtensionTimeoutError extends ExtensionError {
  constructor(
    message: string,
    extensionName: string,
    readonly phase: string,
    readonly timeoutMs: number,
  ) {
    super(message, ExtensionErrorCode.TIMEOUT, extensionName);
  }
}

/** A lifecycle phase (setup, start, stop) threw. */
export class ExtensionLifecycleError extends ExtensionError {
  constructor(
    message: string,
    extensionName: string,
    readonly phase: string,
    options?: { cause?: unknown },
  ) {
    super(message, ExtensionErrorCode.LIFECYCLE, extensionName, options);
  }
}

/**
 * Boot failed: `errors` holds one error per failed extension, and the message carries all of theirs.
 * The stack is a one-line summary without frames (the boot's own frames are this library's and Nest's
 * hooks): Node prints an uncaught one as that line plus its `errors`, each with its message once, and
 * with its `cause` (the stack of an extension's own code) when it has one.
 */
export class ExtensionBootError extends ExtensionError {
  constructor(
    message: string,
    readonly errors: ExtensionError[],
  ) {
    super(message, ExtensionErrorCode.BOOT);
    hidden(this, 'errors');
    const names = errors.map((e) => e.extensionName ?? '(unnamed)').join(', ');
    const headline = message.split('\n')[0].replace(/:$/, '');
    Object.defineProperty(this, 'stack', { value: `${this.name}: ${headline}: ${names}`, writable: true, configurable: true });
  }
}

/** One or more extensions failed to stop; every stop() still ran. */
export class ExtensionShutdownError extends ExtensionError {
  constructor(
    message: string,
    readonly errors: ExtensionError[],
  ) {
    super(message, ExtensionErrorCode.SHUTDOWN);
    hidden(this, 'errors');
  }
}
