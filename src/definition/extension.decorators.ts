import 'reflect-metadata';
import type { ConfigFieldOptions, ExtensionOptions, ModelOptions } from './definition.interface.js';
import {
  CAPABILITIES_METADATA,
  CONFIG_FIELDS_METADATA,
  EXTENSION_METADATA,
  MODELS_METADATA,
  REQUIRES_METADATA,
} from './metadata.constants.js';

/*
 * Class decorators run bottom to top. Repeatable ones prepend, so lists end up in source order
 * (top to bottom), and nothing is read until discovery: the order of decorators does not matter.
 */
function prepend<T>(key: symbol, items: T[]): ClassDecorator {
  return (target) => {
    const own: T[] = Reflect.getOwnMetadata(key, target) ?? [];
    Reflect.defineMetadata(key, [...items, ...own], target);
  };
}

/** Marks a class as an extension. */
export function Extension(options: ExtensionOptions): ClassDecorator {
  return (target) => Reflect.defineMetadata(EXTENSION_METADATA, { ...options }, target);
}

/** npm packages the extension needs: `pkg`, `pkg@^1.2`, `pkg>=1.2`, `@scope/pkg@~2`. */
export function Requires(...specs: string[]): ClassDecorator {
  return prepend(REQUIRES_METADATA, specs);
}

/** A model the extension serves; repeat for several. */
export function Model(name: string, options: ModelOptions = {}): ClassDecorator {
  return prepend(MODELS_METADATA, [{ ...options, name }]);
}

/** Capabilities of the extension as a whole (every model has them). */
export function Capability(...capabilities: string[]): ClassDecorator {
  return prepend(CAPABILITIES_METADATA, capabilities);
}

/** A config field of the extension; repeat for several. */
export function ConfigField(name: string, options: ConfigFieldOptions = {}): ClassDecorator {
  return prepend(CONFIG_FIELDS_METADATA, [{ ...options, name }]);
}
