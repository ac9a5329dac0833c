import 'reflect-metadata';
import {
  getMetadataStorage,
  IS_ISO8601,
  type MetadataStorage,
  type ValidationArguments,
  ValidationTypes,
  type ValidatorConstraintInterface,
} from 'class-validator';

import { contractTypeOf } from './contract-type';
import { isCanonicalUtcInstant } from './utc-instant';

/**
 * A fast path for `validatePayload`, built once per payload class from the class's own
 * class-validator metadata and `@ContractType` types, calling the very same constraint functions.
 *
 * Why: on a stage's hot path, `plainToInstance` + `validateSync` cost about 40 µs per engagement
 * event (measured: 38 of ingest's ≈100 µs), mostly in re-reading and grouping metadata, building
 * instances and error objects for every record, not in the checks themselves. Measured with
 * tools/stack/bench-validation.mjs (2026-12-07, 2 busy cores, 100,000 engagement events): the fast
 * path took 13-19 µs a record, class-validator alone 4.6 to 7 times that, side by side in one run.
 *
 * What it reads, all through public APIs (no deep import into a package's private files, a lint rule
 * forbids them):
 * - class-validator's entry point: `getMetadataStorage()` and the public methods of the
 *   `MetadataStorage` class it exports (`getTargetValidationMetadatas`, with the arguments
 *   class-validator's own `validateSync` passes; `groupByPropertyName`; `getTargetValidatorConstraints`,
 *   whose `instance` is the constraint object `validateSync` calls), `ValidationTypes`, and the
 *   `ValidatorConstraintInterface.validate` / `ValidationArguments` contract of custom constraints.
 *   The metadata's type is derived from those signatures (`ValidationMetadata` below): the package
 *   does not export it by name.
 * - our own reflect-metadata: the types of nested values, recorded by `@ContractType`
 *   (contract-type.ts), never class-transformer's internal storage.
 *
 * It only ever says "valid, here is the value" or "not sure": every record it does not accept
 * goes through class-validator, which gives the verdict and the violations. So it may be stricter
 * than class-validator (costing only speed), never looser. Whatever it does not model exactly
 * (async constraints, groups, primitive conversions of a value of another type, `@ContractType` of
 * a class without `@ValidateNested`, Sets and Maps, arrays of arrays) makes it answer "not sure".
 * `compiled-validator.spec.ts` checks the equivalence on every topic's payload class and
 * thousands of mutated records.
 *
 * Why not ajv on the contracts' JSON Schema (class-validator-jsonschema's output, docs/asyncapi.yaml):
 * it is faster, but looser, so it could not answer "valid" on its own. The schema has no equivalent
 * of `@ValidateIf` (a conditional requirement, "phone unless bsuid", becomes "neither required"),
 * of the cross-field constraints (`namesThePersonOnce`, `onlyInRevocation`, `isAfterField`) or of
 * the reader's clock (`isInstantWithin` is only `format: date-time`); `isStorableText` and the
 * ISO 3166 / ISO 4217 code lists come out as any string, and `minLength` counts differently
 * (validator.js does not count variation selectors). ajv accepts records class-validator refuses.
 */
export const NOT_SURE = Symbol('not sure');

type Ctor = abstract new (...args: never[]) => unknown;

/** class-validator's metadata of one decorator on one property, as its public `MetadataStorage` returns it. */
type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

interface Check {
  metadata: ValidationMetadata;
  constraints: ValidatorConstraintInterface[];
  /**
   * A cheaper test whose `true` implies the constraints' (never the other way): when it holds, the
   * constraints are not called; when it does not, they decide. Only for a single value (not `each`).
   */
  accepts?: (value: unknown) => boolean;
}

/**
 * The cheaper test of a constraint, where there is one: `@IsISO8601({ strict: true })` (every
 * timestamp of every record: validator.js's regular expression, a second one and a Date each time)
 * accepts the instants `toISOString` writes without calling it.
 */
function shortcutOf(metadata: ValidationMetadata): Check['accepts'] {
  if (metadata.each || metadata.name !== IS_ISO8601) return undefined;
  const options = metadata.constraints?.[0] as { strict?: boolean; strictSeparator?: boolean } | undefined;
  return options?.strict === true ? isCanonicalUtcInstant : undefined;
}

interface PropertyPlan {
  name: string;
  conditions: ValidationMetadata[];
  defined: Check[];
  custom: Check[];
  /** `@ValidateNested()` with `@ContractType(() => Class)`: the nested class's plan. */
  nested?: () => ClassPlan | undefined;
  /** `@ContractType(() => Number | String | Boolean)`: the value must already be of that type. */
  primitive?: 'number' | 'string' | 'boolean';
}

interface ClassPlan {
  target: Ctor;
  properties: PropertyPlan[];
}

const plans = new Map<Ctor, ClassPlan | undefined>();

function checksOf(metadatas: ValidationMetadata[]): Check[] | undefined {
  const storage = getMetadataStorage();
  const checks: Check[] = [];
  for (const metadata of metadatas) {
    const constraints = storage.getTargetValidatorConstraints(metadata.constraintCls);
    if (constraints.some((c) => c.async)) return undefined;
    checks.push({ metadata, constraints: constraints.map((c) => c.instance), accepts: shortcutOf(metadata) });
  }
  return checks;
}

/** The plan of a class, or undefined when it uses anything the fast path does not model. */
export function planOf(target: Ctor): ClassPlan | undefined {
  if (plans.has(target)) return plans.get(target);
  plans.set(target, undefined); // a cycle resolves lazily below
  const plan = buildPlan(target);
  plans.set(target, plan);
  return plan;
}

function buildPlan(target: Ctor): ClassPlan | undefined {
  const storage = getMetadataStorage();
  // The same call, with the same arguments, as class-validator's executor for validateSync(instance).
  const metadatas = storage.getTargetValidationMetadatas(target as never, undefined as never, false, false, undefined);
  if (metadatas.length === 0) return undefined;
  // Class fields with initializers would appear on instances without being in the record.
  const probe = Reflect.construct(target as unknown as new () => object, []) as Record<string, unknown>;
  if (Object.values(probe).some((v) => v !== undefined)) return undefined;
  const grouped = storage.groupByPropertyName(metadatas);
  const properties: PropertyPlan[] = [];
  for (const [name, own] of Object.entries(grouped)) {
    const byType = (type: string) => own.filter((m) => m.type === type);
    if (byType(ValidationTypes.PROMISE_VALIDATION).length > 0) return undefined;
    const defined = checksOf(byType(ValidationTypes.IS_DEFINED));
    const custom = checksOf(byType(ValidationTypes.CUSTOM_VALIDATION));
    if (!defined || !custom) return undefined;
    const property: PropertyPlan = { name, conditions: byType(ValidationTypes.CONDITIONAL_VALIDATION), defined, custom };
    // Types declared with `@ContractType` (public metadata); a nested class declared otherwise is not modelled (see below).
    const typeFunction = contractTypeOf(target, name);
    const nested = byType(ValidationTypes.NESTED_VALIDATION);
    if (typeFunction) {
      const type = typeFunction();
      if (type === Number) property.primitive = 'number';
      else if (type === String) property.primitive = 'string';
      else if (type === Boolean) property.primitive = 'boolean';
      else if (typeof type === 'function' && nested.length > 0) property.nested = () => planOf(type as Ctor);
      else return undefined;
    } else if (nested.length > 0) {
      // Nested validation of a plain object fails in class-validator (an unknown value): not modelled.
      return undefined;
    }
    properties.push(property);
  }
  return { target, properties };
}

function passes(checks: readonly Check[], object: Record<string, unknown>, value: unknown, targetName: string): boolean {
  for (const { metadata, constraints, accepts } of checks) {
    if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
    if (accepts?.(value)) continue;
    const args: ValidationArguments = { targetName, property: metadata.propertyName, object, value, constraints: metadata.constraints };
    for (const constraint of constraints) {
      if (metadata.each && (Array.isArray(value) || value instanceof Set || value instanceof Map)) {
        if (!(Array.isArray(value) ? value : [...value.values()]).every((item) => constraint.validate(item, args) === true)) return false;
      } else if (constraint.validate(value, args) !== true) {
        return false;
      }
    }
  }
  return true;
}

/** Whether every `@ValidateIf` (and `@IsOptional`) condition of a property holds (a loop: every record's every property comes here). */
function conditionsHold(conditions: readonly ValidationMetadata[], object: Record<string, unknown>, value: unknown): boolean {
  for (let i = 0; i < conditions.length; i++) {
    if (!((conditions[i] as ValidationMetadata).constraints[0] as (o: object, v: unknown) => boolean)(object, value)) return false;
  }
  return true;
}

function nestedValue(plan: ClassPlan, value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      // Arrays of arrays, nulls and primitives: class-validator decides.
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return NOT_SURE;
      const checked = run(plan, item as Record<string, unknown>);
      if (checked === NOT_SURE) return NOT_SURE;
      out.push(checked);
    }
    return out;
  }
  if (value === null || typeof value !== 'object') return NOT_SURE;
  return run(plan, value as Record<string, unknown>);
}

function run(plan: ClassPlan, raw: Record<string, unknown>): Record<string, unknown> | typeof NOT_SURE {
  // Whitelisting first, as class-validator does: conditions see only known properties.
  const out: Record<string, unknown> = {};
  for (const property of plan.properties) {
    if (!Object.prototype.hasOwnProperty.call(raw, property.name)) continue;
    const value = raw[property.name];
    if (property.primitive && value !== null && value !== undefined && typeof value !== property.primitive) return NOT_SURE;
    out[property.name] = value;
  }
  const targetName = plan.target.name;
  for (const property of plan.properties) {
    const value = out[property.name];
    if (!conditionsHold(property.conditions, out, value)) continue;
    if (property.defined.length > 0 && !passes(property.defined, out, value, targetName)) return NOT_SURE;
    if (property.custom.length > 0 && !passes(property.custom, out, value, targetName)) return NOT_SURE;
    if (property.nested && value !== undefined) {
      const nestedPlan = property.nested();
      if (!nestedPlan) return NOT_SURE;
      const checked = nestedValue(nestedPlan, value);
      if (checked === NOT_SURE) return NOT_SURE;
      out[property.name] = checked;
    }
  }
  return out;
}

/**
 * The record, whitelisted, when it is certainly valid for the class; NOT_SURE otherwise (then
 * class-validator decides). The value is a plain object with the class's shape.
 */
export function fastValidate(target: Ctor, raw: object): Record<string, unknown> | typeof NOT_SURE {
  const plan = planOf(target);
  if (!plan || Array.isArray(raw)) return NOT_SURE;
  return run(plan, raw as Record<string, unknown>);
}
