import type { InjectionToken, Type } from '@nestjs/common';
import { OPTIONAL_DEPS_METADATA, PARAMTYPES_METADATA, SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants.js';
import 'reflect-metadata';

export interface ConstructorDependency {
  token: InjectionToken;
  optional: boolean;
}

/**
 * The injection tokens of an extension class's constructor parameters after the first (which is its
 * config), read the way Nest reads them: `design:paramtypes`, overridden by `@Inject()`.
 */
export function constructorDependencies(cls: Type<unknown>): ConstructorDependency[] {
  const types: unknown[] = Reflect.getMetadata(PARAMTYPES_METADATA, cls) ?? [];
  const declared: { index: number; param: InjectionToken }[] = Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, cls) ?? [];
  const optional: number[] = Reflect.getMetadata(OPTIONAL_DEPS_METADATA, cls) ?? [];
  const count = Math.max(types.length, ...declared.map((d) => d.index + 1));
  const dependencies: ConstructorDependency[] = [];
  for (let index = 1; index < count; index++) {
    const token = declared.find((d) => d.index === index)?.param ?? (types[index] as InjectionToken);
    dependencies.push({ token, optional: optional.includes(index) });
  }
  return dependencies;
}

export function tokenName(token: InjectionToken): string {
  return typeof token === 'function' ? token.name : String(token);
}
