/** Token of the resolved runtime options. */
export const EXTENSIONS_OPTIONS = Symbol.for('gleitzeit.extensions/options');
/** Token of what discovery found when the module was built. */
export const EXTENSIONS_BOOT_PLAN = Symbol.for('gleitzeit.extensions/boot-plan');

/** The injection token of an extension: its stable handle (see `manager.getHandle()`). */
export function getExtensionToken(name: string): string {
  return `GleitzeitExtension:${name}`;
}

/** Internal: the token of the instance built at boot, which the handle's provider waits for. */
export function getExtensionInstanceToken(name: string): string {
  return `GleitzeitExtensionInstance:${name}`;
}
