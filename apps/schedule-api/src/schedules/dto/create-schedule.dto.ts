import {
  ApiProperty,
  ApiPropertyOptional,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  type CreateScheduleRequest,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MISFIRE_POLICY,
  MAX_MAX_ATTEMPTS,
  MISFIRE_POLICIES,
  type MisfirePolicy,
} from '@scheduleman/domain';
import {
  Allow,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  AtScheduleDoc,
  CronScheduleDoc,
  DelayScheduleDoc,
  WebhookTriggerDoc,
} from './spec-docs.dto';
import { BROKER_TRIGGER_DOCS } from './broker-trigger-docs.dto';
import {
  SchedulePoliciesDto,
  type SchedulePolicyField,
} from './schedule-policies.dto';

export const MAX_NAME_LENGTH = 200;
export const MAX_OWNER_LENGTH = 200;
/** Size limit of `metadata` as JSON, in UTF-8 bytes. */
export const MAX_METADATA_BYTES = 16 * 1024;

export const SCHEDULE_SCHEMA = {
  oneOf: [
    { $ref: getSchemaPath(CronScheduleDoc) },
    { $ref: getSchemaPath(AtScheduleDoc) },
    { $ref: getSchemaPath(DelayScheduleDoc) },
  ],
  discriminator: { propertyName: 'type' },
};
export const TRIGGER_SCHEMA = {
  oneOf: [WebhookTriggerDoc, ...BROKER_TRIGGER_DOCS].map((doc) => ({
    $ref: getSchemaPath(doc),
  })),
  discriminator: { propertyName: 'type' },
};

/**
 * A request contract whose fields `K` arrive unchecked (`unknown`, optional where the
 * contract has them optional): the DTO implements it, so the compiler holds its fields
 * to the contract, without claiming a type class-validator has not checked.
 */
export type Unparsed<T, K extends keyof T> = Omit<T, K> & {
  [P in keyof Pick<T, K>]: unknown;
};

/**
 * Body of POST /schedules. Flat fields are checked here; `schedule` and `trigger` are
 * polymorphic and checked by the domain parsers in the service (one set of rules, used
 * by the API and the tests alike).
 */
export class CreateScheduleDto
  extends SchedulePoliciesDto
  implements
    Unparsed<
      CreateScheduleRequest,
      'schedule' | 'trigger' | SchedulePolicyField
    >
{
  @ApiPropertyOptional({
    type: String,
    maxLength: MAX_NAME_LENGTH,
    nullable: true,
    example: 'nightly report',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  name?: string | null;

  @ApiPropertyOptional({
    type: String,
    maxLength: MAX_OWNER_LENGTH,
    nullable: true,
    example: 'team-billing',
    description: 'Free-form owner; GET /schedules can filter on it.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_OWNER_LENGTH)
  owner?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Any JSON object up to 16 KiB, stored and returned as is.',
  })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown> | null;

  @ApiProperty(SCHEDULE_SCHEMA)
  @IsDefined({ message: 'schedule is required' })
  schedule: unknown;

  @ApiProperty(TRIGGER_SCHEMA)
  @IsDefined({ message: 'trigger is required' })
  trigger: unknown;

  @ApiPropertyOptional({
    enum: MISFIRE_POLICIES,
    default: DEFAULT_MISFIRE_POLICY,
    description:
      'What to do with occurrences missed by more than 10 s (e.g. every scheduler was down).',
  })
  @IsOptional()
  @IsIn(MISFIRE_POLICIES)
  misfirePolicy?: MisfirePolicy;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_MAX_ATTEMPTS,
    default: DEFAULT_MAX_ATTEMPTS,
    description: 'Delivery attempts per occurrence.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_MAX_ATTEMPTS)
  maxAttempts?: number;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    example: 'PT10M',
    description:
      'ISO-8601 duration, PT1S to P7D: a delivered execution whose target reports no result (POST /executions/:executionId/result) within it becomes `result_timeout`. Null or absent: no wait.',
  })
  @Allow()
  resultTimeout?: string | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    example: 'PT2H',
    description:
      "ISO-8601 duration, PT10S to P366D: the schedule's `health` is `silent` when no occurrence succeeded for that long while it was active (alerting on silence). Null or absent: never silent.",
  })
  @Allow()
  silentAfter?: string | null;
}
