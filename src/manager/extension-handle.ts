import { inspect } from 'node:util';
import { scrubError } from '../configuration/secrets.js';

/** What a handle needs to find the current instance of its extension. */
export interface HandleTarget {
  instance?: unknown;
  secrets: string[];
  state: string;
}

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Nest probes every provider for its hooks. The instance itself is a provider too, so its own hooks
 * already run once; the handle answers these with undefined.
 */
const NEST_HOOKS = new Set<PropertyKey>(['onModuleInit', 'onApplicationBootstrap', 'onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown']);

const isObject = (value: unknown): value is object => value !== null && (typeof value === 'object' || typeof value === 'function');

/**
 * An async iterable (a `chatStream()`) whose errors, thrown while it is read, are scrubbed too: a
 * provider that fails mid-stream with a message echoing its key must not pass the key on.
 */
function scrubbedStream(stream: AsyncIterable<unknown>, secrets: string[]): AsyncIterableIterator<unknown> {
  let iterator: AsyncIterator<unknown> | undefined;
  const inner = () => (iterator ??= stream[Symbol.asyncIterator]());
  const guard = (step: () => Promise<IteratorResult<unknown>> | undefined, fallback: IteratorResult<unknown>) => {
    try {
      return Promise.resolve(step() ?? fallback).catch((error: unknown) => Promise.reject(scrubError(error, secrets)));
    } catch (error) {
      return Promise.reject(scrubError(error, secrets));
    }
  };
  return {
    next: (...args: [] | [unknown]) => guard(() => inner().next(...args), { done: true, value: undefined }),
    return: (value?: unknown) => guard(() => inner().return?.(value), { done: true, value }),
    throw: (error?: unknown) => guard(() => inner().throw?.(error), { done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Calls `fn` on `instance`; a throw or a rejection (of a promise or any thenable) is scrubbed of the
 * secrets the extension had when the call began, so an unload meanwhile cannot let one through.
 */
function guardedCall(fn: AnyFunction, instance: unknown, secrets: string[], args: unknown[]): unknown {
  // Nothing to scrub: the call as it is, with no wrapper per promise or per chunk.
  if (!secrets.length) return fn.apply(instance, args);
  try {
    const result = fn.apply(instance, args);
    if (isObject(result) && typeof (result as PromiseLike<unknown>).then === 'function') {
      return Promise.resolve(result as PromiseLike<unknown>).catch((error: unknown) => Promise.reject(scrubError(error, secrets)));
    }
    if (isObject(result) && typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') return scrubbedStream(result as AsyncIterable<unknown>, secrets);
    return result;
  } catch (error) {
    throw scrubError(error, secrets);
  }
}

/**
 * A stable stand-in for an extension's instance: every access reads the instance loaded now, so an
 * unload and reload never leaves a caller with the old object and its old config; a method called on
 * it, or a getter read through it, throws errors scrubbed of the extension's secrets. Used by
 * `@InjectExtension` and `route()`. While the extension is not loaded, any property access throws
 * `notLoaded()`. It is not thenable, serializes to `{ extension, state }` (never its config) and cannot
 * be frozen. A method taken off it (`const f = handle.chat`) stays bound to the instance of that moment.
 */
export function createExtensionHandle(name: string, target: () => HandleTarget, notLoaded: () => Error): object {
  const wrappers = new WeakMap<object, Map<PropertyKey, { fn: AnyFunction; wrapped: AnyFunction }>>();
  const loaded = (): object | undefined => {
    const instance = target().instance;
    return isObject(instance) ? instance : undefined;
  };
  const current = (): object => loaded() ?? (() => { throw notLoaded(); })();
  const wrap = (instance: object, prop: PropertyKey, fn: AnyFunction): AnyFunction => {
    let byProp = wrappers.get(instance);
    if (!byProp) wrappers.set(instance, (byProp = new Map()));
    const known = byProp.get(prop);
    if (known?.fn === fn) return known.wrapped;
    const wrapped = (...args: unknown[]) => guardedCall(fn, instance, target().secrets, args);
    byProp.set(prop, { fn, wrapped });
    return wrapped;
  };
  const summary = () => ({ extension: name, state: target().state });
  // util.inspect (console.log) looks at a proxy's target, not through it: describe the handle there.
  const shell = Object.defineProperty({}, inspect.custom, { value: () => `ExtensionHandle ${inspect(summary())}`, configurable: true });
  return new Proxy(
    shell,
    {
      get(_, prop) {
        if (NEST_HOOKS.has(prop) || prop === 'then') return undefined;
        if (prop === 'toJSON') return summary;
        if (prop === 'constructor' || (typeof prop === 'symbol' && !loaded())) return (loaded() as Record<PropertyKey, unknown> | undefined)?.[prop];
        const instance = current();
        let value: unknown;
        try {
          value = Reflect.get(instance, prop, instance);
        } catch (error) {
          throw scrubError(error, target().secrets);
        }
        return typeof value === 'function' ? wrap(instance, prop, value as AnyFunction) : value;
      },
      set: (_, prop, value) => Reflect.set(current(), prop, value),
      has: (_, prop) => {
        const instance = loaded();
        return instance !== undefined && prop in instance;
      },
      defineProperty: (_, prop, descriptor) => Reflect.defineProperty(current(), prop, descriptor),
      deleteProperty: (_, prop) => Reflect.deleteProperty(current(), prop),
      // The handle follows reloads, so it cannot be frozen or sealed: that would pin it.
      preventExtensions: () => false,
      getPrototypeOf: () => {
        const instance = loaded();
        return instance ? Object.getPrototypeOf(instance) : Object.prototype;
      },
      ownKeys: () => {
        const instance = loaded();
        return instance ? Reflect.ownKeys(instance) : [];
      },
      getOwnPropertyDescriptor: (_, prop) => {
        const instance = loaded();
        const descriptor = instance && Reflect.getOwnPropertyDescriptor(instance, prop);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
}
