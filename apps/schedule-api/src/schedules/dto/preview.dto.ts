import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  MAX_UPCOMING_COUNT,
  type PolicyPreviewItem,
  type PreviewResponse,
  type PreviewScheduleRequest,
} from '@scheduleman/domain';
import {
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { SCHEDULE_SCHEMA, type Unparsed } from './create-schedule.dto';
import {
  SchedulePoliciesDto,
  type SchedulePolicyField,
} from './schedule-policies.dto';
import { DEFAULT_UPCOMING_COUNT } from './queries.dto';

/**
 * Body of POST /schedules/preview. `schedule` is checked by the same domain parser as on
 * create; `from` is parsed by the domain's ISO parser (an offset is required).
 */
export class PreviewScheduleDto
  extends SchedulePoliciesDto
  implements
    Omit<Unparsed<PreviewScheduleRequest, SchedulePolicyField>, 'schedule'>
{
  @ApiProperty(SCHEDULE_SCHEMA)
  @IsDefined({ message: 'schedule is required' })
  schedule: unknown;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_UPCOMING_COUNT,
    default: DEFAULT_UPCOMING_COUNT,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_UPCOMING_COUNT)
  count?: number;

  @ApiPropertyOptional({
    format: 'date-time',
    maxLength: 64,
    description:
      'List occurrences at or after this instant (with an offset or Z). Default: now.',
    example: '2027-03-27T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  from?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'A schedule id, only to compute where a flexible window fires each occurrence (the offset is a hash of the id); nothing is read.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'scheduleId must be a UUID' })
  scheduleId?: string;
}

export class PreviewItemDto implements PolicyPreviewItem {
  @ApiProperty({ format: 'date-time', example: '2027-03-28T01:00:00.000Z' })
  at: string;

  @ApiPropertyOptional({
    enum: ['exclusion', 'skip_next', 'paused'],
    description:
      'Present when the occurrence will not fire: `exclusion` and `skip_next` are recorded as skipped executions with that reason; `paused` occurrences are not recorded.',
  })
  skipped?: 'exclusion' | 'skip_next' | 'paused';

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'When it fires, when that is not `at`: a flexible window (with `scheduleId`).',
  })
  firesAt?: string;

  @ApiProperty({
    type: [String],
    description:
      'Empty unless the occurrence needs explaining (DST gap or overlap, a day some months lack, a time policy).',
    example: [
      '02:30 does not exist on 2027-03-28 in Europe/Berlin (clocks jump from 02:00 to 03:00); fires once at 03:00 +02:00 (2027-03-28T01:00:00.000Z)',
    ],
  })
  notes: string[];
}

export class PreviewResponseDto implements PreviewResponse {
  @ApiProperty({
    example: 'At 02:30, every day (Europe/Berlin)',
    description:
      'The spec in words, with its zone, as `description` on a stored schedule.',
  })
  description: string;

  @ApiProperty({ type: [PreviewItemDto] })
  items: PreviewItemDto[];
}
