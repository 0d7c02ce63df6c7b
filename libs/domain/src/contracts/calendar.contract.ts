import type { Exclusion } from '../schedule/exclusions';
import type { Page } from './schedule.contract';

/** Body of `POST /calendars`: a named, reusable list of exclusions (docs/time.md). */
export interface CreateCalendarRequest {
  name: string;
  exclusions: Exclusion[];
  /** Defaults to the key's owner; only that owner's schedules can name the calendar. */
  owner?: string | null;
}

export interface CalendarResponse {
  id: string;
  name: string;
  owner: string | null;
  exclusions: Exclusion[];
  createdAt: string;
}

export type CalendarListResponse = Page<CalendarResponse>;
