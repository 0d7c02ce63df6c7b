import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  EXECUTION_STATUSES,
  MISFIRE_POLICIES,
  SCHEDULE_STATUSES,
} from '@scheduleman/domain';
import { SCHEDULE_SCHEMA, TRIGGER_SCHEMA } from './create-schedule.dto';

/* OpenAPI models of the response contracts in libs/domain/src/contracts (documentation only). */

export class ScheduleResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ nullable: true, type: String })
  name: string | null;

  @ApiProperty({ nullable: true, type: String })
  owner: string | null;

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true })
  metadata: Record<string, unknown> | null;

  @ApiProperty(SCHEDULE_SCHEMA)
  schedule: unknown;

  @ApiProperty(TRIGGER_SCHEMA)
  trigger: unknown;

  @ApiProperty({ enum: SCHEDULE_STATUSES })
  status: string;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description:
      'Next occurrence not yet handed to a scheduler; null when paused or completed.',
  })
  nextRunAt: string | null;

  @ApiProperty({ enum: MISFIRE_POLICIES })
  misfirePolicy: string;

  @ApiProperty()
  maxAttempts: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ScheduleListResponseDto {
  @ApiProperty({ type: [ScheduleResponseDto] })
  items: ScheduleResponseDto[];

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor: string | null;
}

export class ExecutionResponseDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Deterministic per occurrence; sent as Idempotency-Key.',
  })
  id: string;

  @ApiProperty({ format: 'uuid' })
  scheduleId: string;

  @ApiProperty({ format: 'date-time' })
  scheduledAt: string;

  @ApiProperty({
    format: 'date-time',
    description:
      'When the next attempt is due (the scheduled time or a retry time).',
  })
  dueAt: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  firedAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  finishedAt: string | null;

  @ApiProperty({ enum: EXECUTION_STATUSES })
  status: string;

  @ApiProperty()
  attempts: number;

  @ApiProperty()
  maxAttempts: number;

  @ApiProperty({ nullable: true, type: String })
  schedulerId: string | null;

  @ApiProperty({ nullable: true, type: Number })
  responseStatus: number | null;

  @ApiProperty({ nullable: true, type: String })
  error: string | null;
}

export class ExecutionListResponseDto {
  @ApiProperty({ type: [ExecutionResponseDto] })
  items: ExecutionResponseDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export class UpcomingResponseDto {
  @ApiProperty({ format: 'uuid' })
  scheduleId: string;

  @ApiProperty({
    type: [String],
    example: ['2030-01-01T00:00:05.000Z', '2030-01-01T00:00:10.000Z'],
  })
  items: string[];
}

export class FieldProblemDto {
  @ApiProperty({ example: 'schedule.expression' })
  field: string;

  @ApiProperty({ example: 'minute field "61" is out of range 0-59' })
  message: string;
}

export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request' })
  error: string;

  @ApiProperty({
    example: 'VALIDATION_FAILED',
    description:
      'VALIDATION_FAILED, MALFORMED_JSON, NOT_FOUND, ROUTE_NOT_FOUND, CONFLICT, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, DATABASE_UNAVAILABLE, INTERNAL_ERROR',
  })
  code: string;

  @ApiProperty({
    example: 'schedule.expression: minute field "61" is out of range 0-59',
  })
  message: string;

  @ApiPropertyOptional({ type: [FieldProblemDto] })
  errors: FieldProblemDto[];
}
