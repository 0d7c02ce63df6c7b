import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { RequestValidationPipe } from './request-validation.pipe';

/**
 * True when RequestValidationPipe would accept `value` as a body of the DTO as it is;
 * false means "ask the pipe" (which then names every problem), never "invalid".
 */
export type DtoPrecheck = (value: unknown) => boolean;

type ValidationMetadata = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];

interface Check {
  validateIf?: (object: object, value: unknown) => boolean;
  constraints: unknown[];
  validate: (value: unknown, args: object) => unknown;
}

interface PropertyChecks {
  name: string;
  /** @IsOptional and the like: when one is false the property is not checked at all. */
  conditions: ((object: object, value: unknown) => boolean)[];
  checks: Check[];
}

const SUPPORTED_TYPES = new Set<string>([
  ValidationTypes.WHITELIST,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.CUSTOM_VALIDATION,
]);

/**
 * The DTO's own class-validator rules, read once from its metadata and run straight on
 * the parsed JSON: no class-transformer copy, no ValidationError objects. Used where
 * many bodies are checked at once (POST /schedules/batch, where the pipe was about half
 * of the API's CPU per schedule: docs/performance.md "Creation throughput"), and a body
 * it does not accept goes to the pipe, so the answer to a bad one is the pipe's, word
 * for word.
 *
 * It follows class-validator's executor as RequestValidationPipe configures it
 * (whitelist with forbidNonWhitelisted, no groups): an unknown property, a false
 * condition-free check, or a check that answers anything but `true` (a promise
 * included) sends the body to the pipe. The `__proto__` keys the pipe would strip never
 * get this far (rejectUnsafeInput refuses them first). Undefined when the DTO uses a
 * rule it does not know (nested DTOs, `each`): then every body goes to the pipe.
 */
export function compileDtoPrecheck(
  metatype: abstract new () => object,
): DtoPrecheck | undefined {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(
    metatype,
    '',
    false,
    false,
  );
  if (metadatas.length === 0) return undefined;
  const properties = new Map<string, PropertyChecks>();
  for (const metadata of metadatas) {
    if (!SUPPORTED_TYPES.has(metadata.type) || metadata.each) return undefined;
    let property = properties.get(metadata.propertyName);
    if (!property) {
      property = { name: metadata.propertyName, conditions: [], checks: [] };
      properties.set(metadata.propertyName, property);
    }
    if (!addRule(property, metadata, storage)) return undefined;
  }
  const targetName = metatype.name;
  const all = [...properties.values()];
  return (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return false;
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object))
      if (!properties.has(key)) return false;
    for (const { name, conditions, checks } of all) {
      const field = object[name];
      if (!conditions.every((condition) => condition(object, field))) continue;
      for (const check of checks) {
        if (check.validateIf && !check.validateIf(object, field)) continue;
        const args = {
          targetName,
          property: name,
          object,
          value: field,
          constraints: check.constraints,
        };
        if (check.validate(field, args) !== true) return false;
      }
    }
    return true;
  };
}

function addRule(
  property: PropertyChecks,
  metadata: ValidationMetadata,
  storage: ReturnType<typeof getMetadataStorage>,
): boolean {
  switch (metadata.type) {
    case ValidationTypes.WHITELIST:
      return true;
    case ValidationTypes.CONDITIONAL_VALIDATION:
      property.conditions.push(
        metadata.constraints[0] as (object: object, value: unknown) => boolean,
      );
      return true;
    default: {
      for (const constraint of storage.getTargetValidatorConstraints(
        metadata.constraintCls,
      )) {
        if (constraint.async) return false;
        const instance = constraint.instance as {
          validate: (value: unknown, args: object) => unknown;
        };
        property.checks.push({
          validateIf: metadata.validateIf,
          constraints: metadata.constraints as unknown[],
          validate: (value, args) => instance.validate(value, args),
        });
      }
      return true;
    }
  }
}

/**
 * A route's body check, for a route that takes its body as `unknown` (so the global
 * pipe leaves it alone): a body compileDtoPrecheck accepts is used as it is, any other
 * goes through RequestValidationPipe, whose answer (the DTO instance, or the 400 naming
 * every problem) is exactly the global pipe's. POST /schedules: the pipe's
 * class-transformer copy and class-validator run were ~6 % of a creation's API CPU
 * (docs/performance.md "Single creation", 3 December evening).
 */
export function compileBodyCheck<T extends object>(
  metatype: new () => T,
): (body: unknown) => Promise<T> {
  const precheck = compileDtoPrecheck(metatype);
  const pipe = new RequestValidationPipe();
  const metadata = { type: 'body', metatype, data: undefined } as const;
  return async (body) =>
    precheck?.(body)
      ? (body as T)
      : ((await pipe.transform(body, metadata)) as T);
}
