import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  type AttemptListResponse,
  type AttemptResponse,
  EXECUTION_STATUSES,
  type ExecutionDetailResponse,
  type ExecutionResultResponse,
  type ExecutionStatus,
  MAX_RESULT_ERROR_LENGTH,
  MAX_RESULT_OUTPUT_BYTES,
  TASK_RESULT_STATUSES,
  type TaskResultStatus,
} from '@scheduleman/domain';
import { Allow } from 'class-validator';

/** Body of POST /executions/:executionId/result; checked by parseTaskResultReport. */
export class ResultReportDto {
  @ApiProperty({ enum: TASK_RESULT_STATUSES })
  @Allow()
  status: TaskResultStatus;

  @ApiPropertyOptional({
    description: `Any JSON, at most ${MAX_RESULT_OUTPUT_BYTES} bytes as JSON.`,
  })
  @Allow()
  output?: unknown;

  @ApiPropertyOptional({ maxLength: MAX_RESULT_ERROR_LENGTH, type: String })
  @Allow()
  error?: string | null;
}

export class ExecutionResultDto implements ExecutionResultResponse {
  @ApiProperty({ enum: TASK_RESULT_STATUSES })
  status: TaskResultStatus;

  @ApiProperty({ nullable: true, description: 'As reported; null when none.' })
  output: unknown;

  @ApiProperty({ nullable: true, type: String })
  error: string | null;

  @ApiProperty({ format: 'date-time' })
  reportedAt: string;
}

export class AttemptResponseDto implements AttemptResponse {
  @ApiProperty({ description: '1 for the first attempt.' })
  number: number;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiProperty({ format: 'date-time' })
  finishedAt: string;

  @ApiProperty({
    enum: ['succeeded', 'retryable_failure', 'permanent_failure'],
  })
  outcome: AttemptResponse['outcome'];

  @ApiProperty({ nullable: true, type: Number })
  responseStatus: number | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description: "The broker's answer.",
  })
  response: string | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Attempt start minus due time, ms.',
  })
  initiationLatencyMs: number | null;

  @ApiProperty({ nullable: true, type: String })
  errorClass: string | null;

  @ApiProperty({ nullable: true, type: String })
  errorMessage: string | null;

  @ApiProperty()
  schedulerId: string;
}

export class AttemptListResponseDto implements AttemptListResponse {
  @ApiProperty({ type: [AttemptResponseDto] })
  items: AttemptResponseDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export class ExecutionDetailResponseDto implements ExecutionDetailResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  scheduleId: string;

  @ApiProperty({ format: 'date-time' })
  scheduledAt: string;

  @ApiProperty({ format: 'date-time' })
  dueAt: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  firedAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  finishedAt: string | null;

  @ApiProperty({ enum: EXECUTION_STATUSES })
  status: ExecutionStatus;

  @ApiProperty({ description: 'Attempts made.' })
  attemptCount: number;

  @ApiProperty({ type: AttemptListResponseDto })
  attempts: AttemptListResponseDto;

  @ApiProperty()
  maxAttempts: number;

  @ApiProperty({ nullable: true, type: String })
  schedulerId: string | null;

  @ApiProperty({ nullable: true, type: Number })
  responseStatus: number | null;

  @ApiProperty({ nullable: true, type: String })
  error: string | null;

  @ApiProperty({ nullable: true, type: ExecutionResultDto })
  result: ExecutionResultDto | null;
}
