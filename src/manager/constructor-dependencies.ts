import type { InjectionToken, Type } from '@nestjs/common';
import { OPTIONAL_DEPS_METADATA, PARAMTYPES_METADATA, SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants.js';
import 'reflect-metadata';
import { ExtensionLoadError } from '../errors/index.js';

export interface ConstructorDependency {
  token: InjectionToken;
  optional: boolean;
}

/** Parameter names from the class source, best effort (for messages only). */
function parameterNames(cls: Type<unknown>): string[] {
  const source = Function.prototype.toString.call(cls);
  const match = /constructor\s*\(([^)]*)\)/.exec(source);
  return match ? match[1].split(',').map((p) => p.replace(/=.*$/s, '').replace(/[{}[\].\s]/g, '')) : [];
}

function noTokenError(cls: Type<unknown>, name: string | undefined, index: number, hasMetadata: boolean): ExtensionLoadError {
  const param = parameterNames(cls)[index];
  const which = `constructor parameter ${index + 1}${param ? ` (${param})` : ''} of ${cls.name || 'the class'}`;
  const why = hasMetadata
    ? 'its type is an interface, a union or Object, which Nest cannot inject'
    : 'the class was compiled without decorator metadata (tsx and esbuild do not emit it; tsc, nest build and ts-jest do)';
  return new ExtensionLoadError(
    `Cannot build extension${name ? ` "${name}"` : ''}: ${which} has no injection token: ${why}. Add @Inject(TheToken) to that parameter, or compile with tsc and emitDecoratorMetadata.`,
    name,
  );
}

/**
 * The injection tokens of an extension class's constructor parameters after the first (which is its
 * config), read the way Nest reads them: `design:paramtypes`, overridden by `@Inject()`. A parameter
 * without a usable token is an ExtensionLoadError naming it, never a silent `undefined`.
 */
export function constructorDependencies(cls: Type<unknown>, extensionName?: string): ConstructorDependency[] {
  const types: unknown[] | undefined = Reflect.getMetadata(PARAMTYPES_METADATA, cls);
  const declared: { index: number; param: InjectionToken }[] = Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, cls) ?? [];
  const optional: number[] = Reflect.getMetadata(OPTIONAL_DEPS_METADATA, cls) ?? [];
  const count = Math.max(types?.length ?? cls.length, ...declared.map((d) => d.index + 1));
  const dependencies: ConstructorDependency[] = [];
  for (let index = 1; index < count; index++) {
    const token = declared.find((d) => d.index === index)?.param ?? (types?.[index] as InjectionToken | undefined);
    if (token === undefined || token === Object) throw noTokenError(cls, extensionName, index, types !== undefined);
    dependencies.push({ token, optional: optional.includes(index) });
  }
  return dependencies;
}

export function tokenName(token: InjectionToken): string {
  return typeof token === 'function' ? token.name : String(token);
}
