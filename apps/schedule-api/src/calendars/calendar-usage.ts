import { Injectable } from '@nestjs/common';
import {
  type Calendar,
  canSee,
  checkScheduleCalendars,
  type Principal,
} from '@scheduleman/domain';
import type { Queryable } from '../schedules/schedules.repository';
import { CalendarsRepository } from './calendars.repository';

/**
 * What SchedulesService asks about the calendars a schedule names (`calendarIds`):
 * each must be a calendar of the schedule's owner (400 naming `calendarIds[i]`).
 */
@Injectable()
export class CalendarUsage {
  constructor(private readonly calendars: CalendarsRepository) {}

  /** Checked and share-locked until `tx` commits (LOCK_CALENDARS_FOR_USE). */
  async require(
    tx: Queryable,
    calendarIds: readonly string[],
    owner: string | null,
  ): Promise<void> {
    if (calendarIds.length === 0) return;
    checkScheduleCalendars(
      calendarIds,
      await this.calendars.findMany(calendarIds, tx),
      (calendar) => calendar.owner === owner,
    );
  }

  /** For the preview: calendars the caller sees, read without a lock, in the order of the ids. */
  async read(
    calendarIds: readonly string[],
    principal: Principal,
  ): Promise<Calendar[]> {
    if (calendarIds.length === 0) return [];
    return checkScheduleCalendars(
      calendarIds,
      await this.calendars.findMany(calendarIds),
      (calendar) => canSee(principal, calendar.owner),
    );
  }
}
