import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  type CalendarListResponse,
  type CalendarResponse,
  type CreateCalendarRequest,
  type Exclusion,
  MAX_CALENDAR_EXCLUSIONS,
} from '@scheduleman/domain';
import {
  Allow,
  IsDefined,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import {
  MAX_OWNER_LENGTH,
  type Unparsed,
} from '../../schedules/dto/create-schedule.dto';
import { PageQueryDto } from '../../schedules/dto/queries.dto';
import { EXCLUSIONS_SCHEMA } from '../../schedules/dto/schedule-policies.dto';

/**
 * Body of POST /calendars. `name` and `exclusions` are checked by the domain
 * (parseConnectionName's rules, parseExclusions) so that errors name the exact path
 * (`exclusions[3].date`).
 */
export class CreateCalendarDto
  implements Unparsed<CreateCalendarRequest, 'name' | 'exclusions'>
{
  @ApiProperty({ maxLength: 200, example: 'holidays' })
  @IsDefined({ message: 'name is required' })
  name: unknown;

  @ApiProperty({
    ...EXCLUSIONS_SCHEMA,
    maxItems: MAX_CALENDAR_EXCLUSIONS,
    description: `The periods the calendar excludes, read in the zone of each schedule that names it (at most ${MAX_CALENDAR_EXCLUSIONS}).`,
  })
  @Allow()
  exclusions: unknown;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: MAX_OWNER_LENGTH,
    description:
      "Defaults to the key's owner; only that owner's schedules can name the calendar.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_OWNER_LENGTH)
  owner?: string | null;
}

/** `GET /calendars?limit=&cursor=&owner=`. */
export class ListCalendarsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only calendars of exactly this owner.' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_OWNER_LENGTH)
  owner?: string;
}

export class CalendarResponseDto implements CalendarResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ nullable: true, type: String })
  owner: string | null;

  @ApiProperty(EXCLUSIONS_SCHEMA)
  exclusions: Exclusion[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class CalendarListResponseDto implements CalendarListResponse {
  @ApiProperty({ type: [CalendarResponseDto] })
  items: CalendarResponse[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}
