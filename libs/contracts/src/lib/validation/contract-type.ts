import 'reflect-metadata';
import { type MetadataStorage, ValidationTypes } from 'class-validator';
// The one place that uses class-transformer's own `@Type`: everything else uses `ContractType` (lint rule).
// eslint-disable-next-line no-restricted-imports
import { Type } from 'class-transformer';

const CONTRACT_TYPE = Symbol('wt:contract-type');

type TypeFunction = () => unknown;

/**
 * class-transformer's `@Type(() => X)` that also records the type where our own code can read it
 * through reflect-metadata: the compiled validator (compiled-validator.ts) and the JSON schemas of
 * the OpenAPI and AsyncAPI documents (`contractTypeSchemaConverters`). class-transformer keeps its
 * own metadata in a storage its public API does not expose. Every validated class of the workspace
 * (contracts and the apps' DTOs) uses this instead of `@Type` (a lint rule says so).
 */
export function ContractType(typeFunction: TypeFunction): PropertyDecorator {
  const transform = Type(typeFunction as never);
  return (target, propertyKey) => {
    transform(target, propertyKey);
    Reflect.defineMetadata(CONTRACT_TYPE, typeFunction, target, propertyKey);
  };
}

/** The type function `@ContractType` recorded on a property of a class (or of a class it extends), if any. */
export function contractTypeOf(target: abstract new (...args: never[]) => unknown, propertyName: string): TypeFunction | undefined {
  return Reflect.getMetadata(CONTRACT_TYPE, target.prototype as object, propertyName) as TypeFunction | undefined;
}

/** class-validator's metadata of one decorator on one property (the class is not exported by name). */
type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type JsonSchema = { $ref: string } | { type: 'string' | 'number' | 'boolean' };

/**
 * The JSON Schema of a `@ValidateNested()` property, for class-validator-jsonschema's documented
 * `additionalConverters` option: the class `@ContractType` names (else the declared type,
 * `design:type`) as a `$ref` to its schema, or the primitive's own type. It replaces the library's
 * default converter, which reads the nested type from class-transformer's storage (only reachable
 * through the private `class-transformer/cjs/storage`); the schemas come out the same.
 */
export const contractTypeSchemaConverters = {
  [ValidationTypes.NESTED_VALIDATION]: (meta: ValidationMetadata, options: { refPointerPrefix: string }): JsonSchema | undefined => {
    if (typeof meta.target !== 'function') return undefined;
    const target = meta.target as abstract new () => unknown;
    const type =
      contractTypeOf(target, meta.propertyName)?.() ?? Reflect.getMetadata('design:type', target.prototype as object, meta.propertyName);
    if (typeof type !== 'function') return undefined;
    if (type === String || type === Symbol) return { type: 'string' };
    if (type === Number) return { type: 'number' };
    if (type === Boolean) return { type: 'boolean' };
    return { $ref: `${options.refPointerPrefix}${(type as { name: string }).name}` };
  },
};
