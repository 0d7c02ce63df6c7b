import { ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_NOTE_LENGTH } from '@scheduleman/domain';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { OptionalBody } from '../../http/request-validation.pipe';

/**
 * Optional body of POST /schedules/:id/pause and /resume: a note kept with the change
 * in the schedule's history (GET /schedules/:id/history). The body may be left out.
 */
@OptionalBody()
export class ScheduleNoteDto {
  @ApiPropertyOptional({
    maxLength: MAX_NOTE_LENGTH,
    example: 'paused for the database migration, ticket OPS-123',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_NOTE_LENGTH)
  note?: string;
}
