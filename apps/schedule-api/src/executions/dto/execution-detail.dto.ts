import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { ExecutionResponseDto } from '../../schedules/dto/responses.dto';
import {
  type AttemptListResponse,
  type AttemptResponse,
  type ExecutionDetailResponse,
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

/** `GET /schedules/:id/executions/:executionId`: the execution, its attempts paged. */
export class ExecutionDetailResponseDto
  extends OmitType(ExecutionResponseDto, ['attempts'] as const)
  implements ExecutionDetailResponse
{
  @ApiProperty({ description: 'Attempts made.' })
  attemptCount: number;

  @ApiProperty({ type: AttemptListResponseDto })
  attempts: AttemptListResponseDto;
}
