import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  MAX_MAX_ATTEMPTS,
  MISFIRE_POLICIES,
  type MisfirePolicy,
  type UpdateScheduleRequest,
} from '@scheduleman/domain';
import {
  Allow,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import {
  MAX_NAME_LENGTH,
  MAX_OWNER_LENGTH,
  SCHEDULE_SCHEMA,
  TRIGGER_SCHEMA,
  type Unparsed,
} from './create-schedule.dto';
import {
  SchedulePoliciesDto,
  type SchedulePolicyField,
} from './schedule-policies.dto';

/**
 * Body of PATCH /schedules/:id: any subset of the create fields. Absent means unchanged;
 * `null` clears name, owner or metadata, and catchUpWindow, flexibleWindow or
 * pausedUntil, and is refused for the others.
 */
export class UpdateScheduleDto
  extends SchedulePoliciesDto
  implements
    Unparsed<
      UpdateScheduleRequest,
      'schedule' | 'trigger' | SchedulePolicyField
    >
{
  @ApiPropertyOptional({
    type: String,
    maxLength: MAX_NAME_LENGTH,
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  name?: string | null;

  @ApiPropertyOptional({
    type: String,
    maxLength: MAX_OWNER_LENGTH,
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_OWNER_LENGTH)
  owner?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
  })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    ...SCHEDULE_SCHEMA,
    description:
      'A new timing: next run time recomputed from now; pending executions due > 2 s from now are cancelled.',
  })
  @Allow()
  schedule?: unknown;

  @ApiPropertyOptional(TRIGGER_SCHEMA)
  @Allow()
  trigger?: unknown;

  @ApiPropertyOptional({ enum: MISFIRE_POLICIES })
  @ValidateIf((dto: UpdateScheduleDto) => dto.misfirePolicy !== undefined)
  @IsIn(MISFIRE_POLICIES)
  misfirePolicy?: MisfirePolicy;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_MAX_ATTEMPTS,
  })
  @ValidateIf((dto: UpdateScheduleDto) => dto.maxAttempts !== undefined)
  @IsInt()
  @Min(1)
  @Max(MAX_MAX_ATTEMPTS)
  maxAttempts?: number;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    example: 'PT10M',
    description: 'As on create; null clears it.',
  })
  @Allow()
  resultTimeout?: string | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    example: 'PT2H',
    description: 'As on create; null clears it.',
  })
  @Allow()
  silentAfter?: string | null;
}
