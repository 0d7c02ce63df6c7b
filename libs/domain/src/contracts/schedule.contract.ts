import type { DstGapPolicy, DstOverlapPolicy } from '../schedule/dst-policy';
import type { Exclusion } from '../schedule/exclusions';
import type { MisfirePolicy } from '../schedule/misfire-policy';
import type { OverlapPolicy } from '../schedule/overlap-policy';
import type { PolicyPreviewItem } from '../schedule/policy-notes';
import type {
  ScheduleSpec,
  ScheduleSpecInput,
} from '../schedule/schedule-spec';
import type { ScheduleHealthState } from '../schedule/schedule-health';
import type { ScheduleStatus } from '../schedule/schedule-status';
import type { ExecutionStatus } from '../execution/execution-status';
import type { TriggerSpec } from '../trigger/trigger-spec';

/**
 * The REST shapes of the schedule API (docs/api.md), as plain types that clients,
 * tests and the benchmark can share. Times are ISO-8601 UTC strings with milliseconds.
 */

/** Body of `POST /schedules`. */
export interface CreateScheduleRequest extends SchedulePoliciesRequest {
  name?: string | null;
  owner?: string | null;
  /** A JSON object of at most 16 KiB, stored and returned as is. */
  metadata?: Record<string, unknown> | null;
  schedule: ScheduleSpecInput;
  /** e.g. `{ type: 'webhook', url, method?, headers?, body? }`. */
  trigger: { type: string; [field: string]: unknown };
  /** Default `fire_once`. */
  misfirePolicy?: MisfirePolicy;
  /** Attempts per occurrence, 1..MAX_MAX_ATTEMPTS; default DEFAULT_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /**
   * ISO-8601 duration (PT1S..P7D) a delivered execution waits for its target's result
   * report before it becomes `result_timeout`; null (the default): no wait.
   */
  resultTimeout?: string | null;
  /**
   * ISO-8601 duration (PT10S..P366D): the schedule is `silent` (health) when no
   * occurrence succeeded for that long while it was active; null (the default): never.
   */
  silentAfter?: string | null;
}

/**
 * The time policies of a schedule as requests send them (docs/time.md); each optional,
 * today's behaviour when absent. Also accepted by `POST /schedules/preview`.
 */
export interface SchedulePoliciesRequest {
  /** ISO duration PT10S..P7D, or null: missed by more than this, an occurrence is skipped. */
  catchUpWindow?: string | null;
  /** Periods in the schedule's zone in which it does not fire (at most 100). */
  exclusions?: Exclusion[];
  /** Calendars of the schedule's owner (`POST /calendars`), at most 20. */
  calendarIds?: string[];
  /** ISO duration PT1S..PT1H, or null: each occurrence fires at a fixed instant in [t, t + window]. */
  flexibleWindow?: string | null;
  /** ISO instant with offset, or null: the schedule is paused until then, then resumes by itself. */
  pausedUntil?: string | null;
  /** Default `allow`. */
  overlapPolicy?: OverlapPolicy;
  /** A wall time in a DST gap: `shift` (default, fires at the end of the gap) or `skip`. */
  dstGapPolicy?: DstGapPolicy;
  /** A wall time in a DST overlap: `first` (default), `second` or `twice`. */
  dstOverlapPolicy?: DstOverlapPolicy;
}

/** The time policies in every schedule answer, defaults filled in. */
export interface SchedulePoliciesResponse {
  catchUpWindow: string | null;
  exclusions: Exclusion[];
  calendarIds: string[];
  flexibleWindow: string | null;
  pausedUntil: string | null;
  overlapPolicy: OverlapPolicy;
  dstGapPolicy: DstGapPolicy;
  dstOverlapPolicy: DstOverlapPolicy;
  /** The scheduled time of the occurrence `POST /schedules/:id/skip-next` marked, or null. */
  skipNextAt: string | null;
}

/** Body of `POST /schedules/batch`: 1..MAX_BATCH_SCHEDULES bodies of `POST /schedules`, stored all or none. */
export interface CreateScheduleBatchRequest {
  schedules: CreateScheduleRequest[];
}

/** Answer of `POST /schedules/batch`: the stored schedules, in the order they were sent. */
export interface ScheduleBatchResponse {
  items: ScheduleResponse[];
}

/** Body of `PATCH /schedules/:id`: any subset; `null` clears name, owner or metadata. */
export type UpdateScheduleRequest = Partial<CreateScheduleRequest>;

/** `POST /schedules/:id/pause`: `until` ends the pause by itself (pausedUntil). */
export interface PauseScheduleRequest {
  until?: string | null;
}

/** A stored schedule, as every schedule endpoint returns it. */
export interface ScheduleResponse extends SchedulePoliciesResponse {
  id: string;
  name: string | null;
  owner: string | null;
  metadata: Record<string, unknown> | null;
  /** The stored spec: a delay carries the `at` it was fixed to when accepted. */
  schedule: ScheduleSpec;
  /** `schedule` in words, with its zone: `At 02:30, every day (Europe/Berlin)` (describeSchedule). */
  description: string;
  trigger: TriggerSpec;
  status: ScheduleStatus;
  /** The next occurrence not yet handed to a scheduler; null when paused or completed. */
  nextRunAt: string | null;
  misfirePolicy: MisfirePolicy;
  maxAttempts: number;
  resultTimeout: string | null;
  /** As sent on create or PATCH; null: no silence alert. */
  silentAfter: string | null;
  /** healthy, late, failing or silent (scheduleHealth, docs/api.md "Health"), as of the answer. */
  health: ScheduleHealthState;
  /** When an occurrence last succeeded (about a minute's precision); null when none has. */
  lastSuccessAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A page of a keyset-paginated list; pass `nextCursor` back as `cursor` until it is null. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What `GET /schedules?include=` may add to each item. */
export const SCHEDULE_LIST_INCLUDES = ['recentExecutions'] as const;
export type ScheduleListInclude = (typeof SCHEDULE_LIST_INCLUDES)[number];

/** How many executions `include=recentExecutions` adds per schedule. */
export const RECENT_EXECUTIONS_COUNT = 5;

/** One of a schedule's latest executions, as `include=recentExecutions` lists it. */
export interface RecentExecution {
  id: string;
  scheduledAt: string;
  /** When the first attempt was made; null until then. */
  firedAt: string | null;
  status: ExecutionStatus;
  /** firedAt − scheduledAt in ms; null until fired. */
  latenessMs: number | null;
}

/** An item of `GET /schedules`: a schedule, plus what `include=` asked for. */
export interface ScheduleListItem extends ScheduleResponse {
  /** With `include=recentExecutions`: the latest RECENT_EXECUTIONS_COUNT by scheduledAt, newest first. */
  recentExecutions?: RecentExecution[];
}

export type ScheduleListResponse = Page<ScheduleListItem>;

/** `POST /schedules/preview`: `{ schedule, count?, from? }`, and the policies. */
export interface PreviewScheduleRequest extends SchedulePoliciesRequest {
  /** A schedule id, only to show where a flexible window fires each occurrence. */
  scheduleId?: string;
  schedule: ScheduleSpecInput;
  /** 1..100, default 10. */
  count?: number;
  /** ISO instant with an offset; default now. Occurrences at or after it are listed. */
  from?: string;
}

/** `POST /schedules/preview`. */
export interface PreviewResponse {
  /** `schedule` in words, with its zone, as `description` on a stored schedule. */
  description: string;
  /** Ascending; fewer than asked (or none) when the schedule ends. */
  items: PolicyPreviewItem[];
}

/** `GET /schedules/:id/upcoming`. */
export interface UpcomingResponse {
  scheduleId: string;
  /** The next occurrence times, ascending (fewer than asked, or none, when the schedule ends). */
  items: string[];
}
