import {
  type ArgumentMetadata,
  ValidationPipe,
  type ValidationError as ClassValidatorError,
} from '@nestjs/common';
import { type FieldError, InvalidRequestError } from '@scheduleman/runtime';

const OPTIONAL_BODY = Symbol('scheduleman:optional-body');

/**
 * Marks a body DTO whose every field is optional, for routes that are also called
 * without a body (`POST /schedules/:id/pause`): no body is validated as `{}`.
 */
export function OptionalBody(): ClassDecorator {
  return (target) => {
    Object.defineProperty(target, OPTIONAL_BODY, { value: true });
  };
}

function isOptionalBody(metatype: unknown): boolean {
  return (
    typeof metatype === 'function' &&
    (metatype as unknown as Record<symbol, unknown>)[OPTIONAL_BODY] === true
  );
}

/**
 * The production ValidationPipe: unknown properties are refused (not silently dropped),
 * query strings are converted to the DTO's types, and every problem is reported with
 * its field path in the shared error shape.
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: true,
      exceptionFactory: (errors) =>
        new InvalidRequestError(flattenErrors(errors)),
    });
  }

  override async transform(
    value: unknown,
    metadata: ArgumentMetadata,
  ): Promise<unknown> {
    if (
      metadata.type === 'body' &&
      value === undefined &&
      isOptionalBody(metadata.metatype)
    )
      return super.transform({}, metadata);
    // A JSON array, string or number would reach class-validator as something other than
    // an object and be reported confusingly (or not at all); name the real problem.
    if (
      metadata.type === 'body' &&
      isDtoClass(metadata.metatype) &&
      !isJsonObject(value)
    ) {
      throw new InvalidRequestError([
        {
          field: 'body',
          message:
            'must be a JSON object (send Content-Type: application/json)',
        },
      ]);
    }
    return super.transform(value, metadata);
  }
}

export function flattenErrors(
  errors: ClassValidatorError[],
  parent = '',
): FieldError[] {
  return errors.flatMap((error) => {
    // An empty key (`{"": 1}`) is still named: as `""`, not as no field at all.
    const property = error.property === '' ? '""' : error.property;
    const field = parent ? `${parent}.${property}` : property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message,
    }));
    return [...own, ...flattenErrors(error.children ?? [], field)];
  });
}

function isJsonObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isDtoClass(metatype: unknown): boolean {
  return (
    typeof metatype === 'function' &&
    ![String, Number, Boolean, Array, Object].includes(metatype as never)
  );
}
