import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  MAX_UPCOMING_COUNT,
  RECENT_EXECUTIONS_COUNT,
  SCHEDULE_LIST_INCLUDES,
  type ScheduleListInclude,
  SCHEDULE_STATUSES,
  type ScheduleStatus,
} from '@scheduleman/domain';
import { Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_OWNER_LENGTH } from './create-schedule.dto';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;
export const DEFAULT_UPCOMING_COUNT = 10;
/** Longest `q` of GET /schedules (names are at most MAX_NAME_LENGTH anyway). */
export const MAX_SEARCH_LENGTH = 100;
export const SCHEDULE_SORTS = ['createdAt', 'nextRunAt'] as const;
export type ScheduleSort = (typeof SCHEDULE_SORTS)[number];
const INCLUDE_MESSAGE = `include must be a comma-separated list of: ${SCHEDULE_LIST_INCLUDES.join(', ')}`;

/** `?limit=&cursor=` of a keyset-paginated list. Query values arrive as strings: @Type converts. */
export class PageQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PAGE_LIMIT,
    default: DEFAULT_PAGE_LIMIT,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number;

  @ApiPropertyOptional({
    description:
      'The nextCursor of the previous page, unchanged. Empty means the first page.',
  })
  @IsOptional()
  @IsString()
  cursor?: string;
}

/** `GET /schedules?limit=&cursor=&owner=&status=&q=&sort=`. */
export class ListSchedulesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only schedules with exactly this owner.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_OWNER_LENGTH)
  owner?: string;

  @ApiPropertyOptional({ enum: SCHEDULE_STATUSES })
  @IsOptional()
  @IsIn(SCHEDULE_STATUSES)
  status?: ScheduleStatus;

  @ApiPropertyOptional({
    maxLength: MAX_SEARCH_LENGTH,
    description:
      'Only schedules whose name contains this text, ignoring case (`%` and `_` match themselves).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SEARCH_LENGTH)
  q?: string;

  @ApiPropertyOptional({
    enum: SCHEDULE_SORTS,
    default: 'createdAt',
    description:
      '`createdAt`: oldest first. `nextRunAt`: soonest next run first, schedules without one (paused, completed) last. A cursor only works with the sort it came from.',
  })
  @IsOptional()
  @IsIn(SCHEDULE_SORTS)
  sort?: ScheduleSort;

  @ApiPropertyOptional({
    type: String,
    example: 'recentExecutions',
    description: `Comma-separated extras for each item. \`recentExecutions\`: the schedule's latest ${String(RECENT_EXECUTIONS_COUNT)} executions by scheduledAt, newest first, as \`recentExecutions: [{ id, scheduledAt, firedAt, status, latenessMs }]\`. Known: ${SCHEDULE_LIST_INCLUDES.join(', ')}.`,
  })
  @IsOptional()
  // `include=a,b` and `include=a&include=b` alike; an empty `include=` adds nothing.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? value.split(',').filter((part) => part !== '')
      : value,
  )
  @IsArray({ message: INCLUDE_MESSAGE })
  @IsIn(SCHEDULE_LIST_INCLUDES, { each: true, message: INCLUDE_MESSAGE })
  include?: ScheduleListInclude[];
}

/** `GET /schedules/:id/upcoming?count=`. */
export class UpcomingQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_UPCOMING_COUNT,
    default: DEFAULT_UPCOMING_COUNT,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_UPCOMING_COUNT)
  count?: number;
}
