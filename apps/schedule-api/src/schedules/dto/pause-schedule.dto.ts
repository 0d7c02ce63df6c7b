import { ApiPropertyOptional } from '@nestjs/swagger';
import type { PauseScheduleRequest } from '@scheduleman/domain';
import { Allow } from 'class-validator';
import { OptionalBody } from '../../http/request-validation.pipe';
import type { Unparsed } from './create-schedule.dto';
import { ScheduleNoteDto } from './note.dto';

/**
 * Body of POST /schedules/:id/pause, optional (no body: an ordinary pause): the note of
 * the history, and the end of the pause.
 */
@OptionalBody()
export class PauseScheduleDto
  extends ScheduleNoteDto
  implements Unparsed<PauseScheduleRequest, 'until'>
{
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2030-01-02T08:00:00Z',
    description:
      'End of the pause (pausedUntil): an ISO instant with offset, in the future, at most 366 days ahead. Absent or null: paused until resumed. Pausing a paused schedule with `until` moves its end. The automatic resume is not yet done by the scheduler.',
  })
  @Allow()
  until?: unknown;
}
