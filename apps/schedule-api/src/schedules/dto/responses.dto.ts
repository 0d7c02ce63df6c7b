import { ExecutionResultDto } from '../../executions/dto/execution-result.dto';
import { ApiProperty } from '@nestjs/swagger';
import {
  ERROR_CODES,
  EXECUTION_STATUSES,
  SKIP_REASONS,
  type SkipReason,
  type ErrorResponse,
  type Exclusion,
  OVERLAP_POLICIES,
  type OverlapPolicy,
  DST_GAP_POLICIES,
  type DstGapPolicy,
  DST_OVERLAP_POLICIES,
  type DstOverlapPolicy,
  type ExecutionListResponse,
  type ExecutionResponse,
  type ExecutionStatus,
  type FieldProblem,
  MISFIRE_POLICIES,
  type MisfirePolicy,
  SCHEDULE_HEALTH_STATES,
  type ScheduleHealthState,
  SCHEDULE_STATUSES,
  RECENT_EXECUTIONS_COUNT,
  type RecentExecution,
  type ScheduleListItem,
  type ScheduleBatchResponse,
  type ScheduleListResponse,
  type ScheduleResponse,
  type ScheduleSpec,
  type ScheduleStatus,
  type TriggerSpec,
  type UpcomingResponse,
} from '@scheduleman/domain';
import { SCHEDULE_SCHEMA, TRIGGER_SCHEMA } from './create-schedule.dto';
import { EXCLUSIONS_SCHEMA } from './schedule-policies.dto';

/*
 * OpenAPI models of the response contracts in libs/domain/src/contracts (documentation
 * only). Each implements its contract type, so a field the contract adds, drops or
 * retypes fails to compile here until the documentation follows.
 */

export class ScheduleResponseDto implements ScheduleResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ nullable: true, type: String })
  name: string | null;

  @ApiProperty({ nullable: true, type: String })
  owner: string | null;

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true })
  metadata: Record<string, unknown> | null;

  @ApiProperty(SCHEDULE_SCHEMA)
  schedule: ScheduleSpec;

  @ApiProperty({
    example: 'At 02:30, every day (Europe/Berlin)',
    description:
      '`schedule` in words, with the zone its wall times are read in (one-shots: `Once at <ISO> (UTC)`). For people; parse `schedule`, not this.',
  })
  description: string;

  @ApiProperty(TRIGGER_SCHEMA)
  trigger: TriggerSpec;

  @ApiProperty({ enum: SCHEDULE_STATUSES })
  status: ScheduleStatus;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description:
      'Next occurrence not yet handed to a scheduler; null when paused or completed.',
  })
  nextRunAt: string | null;

  @ApiProperty({ enum: MISFIRE_POLICIES })
  misfirePolicy: MisfirePolicy;

  @ApiProperty()
  maxAttempts: number;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'ISO-8601 duration to wait for a result report; null: none.',
  })
  resultTimeout: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description:
      'ISO-8601 duration: no success for that long makes the schedule silent; null: none.',
  })
  silentAfter: string | null;

  @ApiProperty({
    enum: SCHEDULE_HEALTH_STATES,
    description:
      'silent (no success within silentAfter), failing (latest finished occurrence failed or got no result in time), late (next run overdue by more than 10 s), else healthy; worst first.',
  })
  health: ScheduleHealthState;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description:
      'When an occurrence last succeeded (kept to about a minute); null when none has.',
  })
  lastSuccessAt: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'PT10M' })
  catchUpWindow: string | null;

  @ApiProperty(EXCLUSIONS_SCHEMA)
  exclusions: Exclusion[];

  @ApiProperty({ type: [String], format: 'uuid' })
  calendarIds: string[];

  @ApiProperty({ nullable: true, type: String, example: 'PT5M' })
  flexibleWindow: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'The end of the pause of a paused schedule; null: none.',
  })
  pausedUntil: string | null;

  @ApiProperty({ enum: OVERLAP_POLICIES })
  overlapPolicy: OverlapPolicy;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description:
      'The scheduled time of the occurrence POST /schedules/:id/skip-next marked; null: none.',
  })
  skipNextAt: string | null;

  @ApiProperty({ enum: DST_GAP_POLICIES })
  dstGapPolicy: DstGapPolicy;

  @ApiProperty({ enum: DST_OVERLAP_POLICIES })
  dstOverlapPolicy: DstOverlapPolicy;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class RecentExecutionDto implements RecentExecution {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  scheduledAt: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  firedAt: string | null;

  @ApiProperty({ enum: EXECUTION_STATUSES })
  status: ExecutionStatus;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'firedAt − scheduledAt in milliseconds; null until fired.',
  })
  latenessMs: number | null;
}

export class ScheduleListItemDto
  extends ScheduleResponseDto
  implements ScheduleListItem
{
  @ApiProperty({
    required: false,
    type: [RecentExecutionDto],
    description: `Only with \`include=recentExecutions\`: the latest ${String(RECENT_EXECUTIONS_COUNT)} executions by scheduledAt, newest first (fewer when there are fewer).`,
  })
  recentExecutions?: RecentExecutionDto[];
}

export class ScheduleBatchResponseDto implements ScheduleBatchResponse {
  @ApiProperty({
    type: [ScheduleResponseDto],
    description: 'The stored schedules, in the order they were sent.',
  })
  items: ScheduleResponseDto[];
}

export class ScheduleListResponseDto implements ScheduleListResponse {
  @ApiProperty({ type: [ScheduleListItemDto] })
  items: ScheduleListItemDto[];

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor: string | null;
}

export class ExecutionResponseDto implements ExecutionResponse {
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
    nullable: true,
    type: String,
    description:
      'When the next attempt is due (the scheduled time, its instant in a flexible window, or a retry time); null while held by overlapPolicy buffer_one until the previous execution finishes.',
  })
  dueAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  firedAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  finishedAt: string | null;

  @ApiProperty({ enum: EXECUTION_STATUSES })
  status: ExecutionStatus;

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

  @ApiProperty({
    enum: SKIP_REASONS,
    nullable: true,
    type: String,
    description:
      "Why a skipped occurrence did not fire; null unless status is 'skipped'.",
  })
  reason: SkipReason | null;

  @ApiProperty({
    example: 1,
    description:
      'Occurrences this row stands for: 1, or more for a skipped range after a long outage (every occurrence from scheduledAt to lastScheduledAt).',
  })
  occurrences: number;

  @ApiProperty({
    format: 'date-time',
    description:
      'The last occurrence this row stands for: scheduledAt, except for a skipped range.',
  })
  lastScheduledAt: string;

  @ApiProperty({
    nullable: true,
    type: ExecutionResultDto,
    description: 'What the target reported; null until then.',
  })
  result: ExecutionResultDto | null;
}

export class ExecutionListResponseDto implements ExecutionListResponse {
  @ApiProperty({ type: [ExecutionResponseDto] })
  items: ExecutionResponseDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export class UpcomingResponseDto implements UpcomingResponse {
  @ApiProperty({ format: 'uuid' })
  scheduleId: string;

  @ApiProperty({
    type: [String],
    example: ['2030-01-01T00:00:05.000Z', '2030-01-01T00:00:10.000Z'],
  })
  items: string[];
}

export class FieldProblemDto implements FieldProblem {
  @ApiProperty({ example: 'schedule.expression' })
  field: string;

  @ApiProperty({ example: 'minute field "61" is out of range 0-59' })
  message: string;

  @ApiProperty({
    required: false,
    example: 3,
    description:
      'Only in answers to POST /schedules/batch: the position of the refused item in `schedules`.',
  })
  index?: number;
}

export class ErrorResponseDto implements ErrorResponse {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request' })
  error: string;

  @ApiProperty({
    example: 'VALIDATION_FAILED',
    description: ERROR_CODES.join(', '),
  })
  code: string;

  @ApiProperty({
    example: 'schedule.expression: minute field "61" is out of range 0-59',
  })
  message: string;

  @ApiProperty({
    type: [FieldProblemDto],
    description: 'Every problem, by field; empty for a 5xx.',
  })
  errors: FieldProblemDto[];
}
