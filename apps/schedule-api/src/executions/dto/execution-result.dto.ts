import { ApiProperty } from '@nestjs/swagger';
import {
  type ExecutionResultResponse,
  TASK_RESULT_STATUSES,
  type TaskResultStatus,
} from '@scheduleman/domain';

/** What the target reported about an execution (`result` of every execution answer). */
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
