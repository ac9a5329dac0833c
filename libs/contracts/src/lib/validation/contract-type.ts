import 'reflect-metadata';
import { Type } from 'class-transformer';

const CONTRACT_TYPE = Symbol('wt:contract-type');

type TypeFunction = () => unknown;

/**
 * class-transformer's `@Type(() => X)` that also records the type where the compiled validator
 * can read it through reflect-metadata (class-transformer keeps its own metadata in a storage its
 * public API does not expose). Contracts use this instead of `@Type` (a lint rule says so).
 */
export function ContractType(typeFunction: TypeFunction): PropertyDecorator {
  const transform = Type(typeFunction as never);
  return (target, propertyKey) => {
    transform(target, propertyKey);
    Reflect.defineMetadata(CONTRACT_TYPE, typeFunction, target, propertyKey);
  };
}

/** The type function `@ContractType` recorded on a property of a class, if any. */
export function contractTypeOf(target: abstract new (...args: never[]) => unknown, propertyName: string): TypeFunction | undefined {
  return Reflect.getMetadata(CONTRACT_TYPE, target.prototype as object, propertyName) as TypeFunction | undefined;
}
