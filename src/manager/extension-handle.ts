import { scrubError } from '../configuration/secrets.js';

/** What a handle needs to find the current instance of its extension. */
export interface HandleTarget {
  instance?: unknown;
  secrets: string[];
}

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Nest probes every provider for its hooks. The instance itself is a provider too, so its own hooks
 * already run once; the handle answers these with undefined.
 */
const NEST_HOOKS = new Set(['onModuleInit', 'onApplicationBootstrap', 'onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown']);

/** Calls `fn` on `instance`; a throw or a rejection is scrubbed of the secrets before it reaches the caller. */
function guardedCall(fn: AnyFunction, instance: unknown, target: () => HandleTarget, args: unknown[]): unknown {
  try {
    const result = fn.apply(instance, args);
    if (result instanceof Promise) return result.catch((error: unknown) => Promise.reject(scrubError(error, target().secrets)));
    return result;
  } catch (error) {
    throw scrubError(error, target().secrets);
  }
}

/**
 * A stable stand-in for an extension's instance: every access reads the instance loaded now, so an
 * unload and reload never leaves a caller with the old object and its old config; a method called on
 * it throws errors scrubbed of the extension's secrets. Used by `@InjectExtension` and `route()`.
 * While the extension is not loaded, any property access throws `notLoaded()`.
 */
export function createExtensionHandle(target: () => HandleTarget, notLoaded: () => Error): object {
  const wrappers = new WeakMap<object, Map<PropertyKey, { fn: AnyFunction; wrapped: AnyFunction }>>();
  const current = (): object => {
    const instance = target().instance;
    if (instance !== null && (typeof instance === 'object' || typeof instance === 'function')) return instance;
    throw notLoaded();
  };
  const wrap = (instance: object, prop: PropertyKey, fn: AnyFunction): AnyFunction => {
    let byProp = wrappers.get(instance);
    if (!byProp) wrappers.set(instance, (byProp = new Map()));
    const known = byProp.get(prop);
    if (known?.fn === fn) return known.wrapped;
    const wrapped = (...args: unknown[]) => guardedCall(fn, instance, target, args);
    byProp.set(prop, { fn, wrapped });
    return wrapped;
  };
  return new Proxy(
    {},
    {
      get(_, prop) {
        // Promise resolution and inspection probe these; answer them without throwing.
        if (NEST_HOOKS.has(prop as string)) return undefined;
        if (typeof prop === 'symbol' || prop === 'then' || prop === 'constructor') {
          const instance = target().instance as Record<PropertyKey, unknown> | undefined;
          return instance?.[prop];
        }
        const instance = current();
        const value = Reflect.get(instance, prop, instance);
        return typeof value === 'function' && prop !== 'constructor' ? wrap(instance, prop, value as AnyFunction) : value;
      },
      set: (_, prop, value) => Reflect.set(current(), prop, value),
      has: (_, prop) => {
        const instance = target().instance;
        return instance !== null && typeof instance === 'object' && prop in instance;
      },
      getPrototypeOf: () => {
        const instance = target().instance;
        return instance !== null && typeof instance === 'object' ? Object.getPrototypeOf(instance) : Object.prototype;
      },
      ownKeys: () => {
        const instance = target().instance;
        return instance !== null && typeof instance === 'object' ? Reflect.ownKeys(instance) : [];
      },
      getOwnPropertyDescriptor: (_, prop) => {
        const instance = target().instance;
        if (instance === null || typeof instance !== 'object') return undefined;
        const descriptor = Reflect.getOwnPropertyDescriptor(instance, prop);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
}
