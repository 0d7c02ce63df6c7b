import type { ExecutionStatus } from '../execution/execution-status';
import type { SkipReason } from '../execution/skip-reason';
import type { DstGapPolicy, DstOverlapPolicy } from '../schedule/dst-policy';
import type { Exclusion } from '../schedule/exclusions';
import type { MisfirePolicy } from '../schedule/misfire-policy';
import type { OverlapPolicy } from '../schedule/overlap-policy';
import type { ScheduleSpec, ScheduleType } from '../schedule/schedule-spec';
import type { ScheduleStatus } from '../schedule/schedule-status';
import type { TriggerSpec } from '../trigger/trigger-spec';

/*
 * The tables as node-postgres returns their rows (timestamptz → Date, jsonb →
 * parsed value, int → number), column for column as the migrations create them. Each
 * statement's result type is a `Pick` of these plus its computed columns, so the type of
 * a column is written once; a migration that changes a column changes it here too.
 * All data access is raw SQL through `DataSource.query` (no TypeORM entities).
 */

/** A row of `schedules`. */
export interface ScheduleTableRow {
  id: string;
  name: string | null;
  owner: string | null;
  metadata: Record<string, unknown> | null;
  schedule_type: ScheduleType;
  schedule: ScheduleSpec;
  trigger_type: string;
  trigger: TriggerSpec;
  misfire_policy: MisfirePolicy;
  max_attempts: number;
  status: ScheduleStatus;
  /** The next occurrence not yet planned; null when paused or completed. */
  next_run_at: Date | null;
  /** resultTimeout as given, an ISO-8601 duration (migration 1733900000000); null: no wait for a report. */
  result_timeout: string | null;
  /** The same in ms (bigint: read it cast to float8). */
  result_timeout_ms: number | null;
  /** Counts user edits. */
  version: number;
  /** The schedule's rate at its busiest (ScheduleRate), counted in its owner's owner_usage. */
  fires_per_hour: number;
  created_at: Date;
  updated_at: Date;
  /** Time policies (migration 1734000000000; schedule-policies.ts). */
  catch_up_window: string | null;
  exclusions: Exclusion[];
  calendar_ids: string[];
  flexible_window: string | null;
  paused_until: Date | null;
  overlap_policy: OverlapPolicy;
  skip_next_at: Date | null;
  /** DST policies (migration 1734100000000; dst-policy.ts). */
  dst_gap_policy: DstGapPolicy;
  dst_overlap_policy: DstOverlapPolicy;
  /** Alerting on silence (migration 1734200000000): silentAfter as given, and in ms (bigint: read it cast to float8). */
  silent_after: string | null;
  silent_after_ms: number | null;
  /** When an occurrence last succeeded (schedule-upkeep.sql.ts RECORD_SCHEDULE_OUTCOMES); null when none has. */
  last_success_at: Date | null;
  /** How the latest finished occurrence ended: succeeded, failed or result_timeout; null when none has. */
  last_outcome: 'succeeded' | 'failed' | 'result_timeout' | null;
}

/** A row of `calendars` (migration 1734000000000): a named list of exclusions of an owner. */
export interface CalendarTableRow {
  id: string;
  owner: string | null;
  name: string;
  exclusions: Exclusion[];
  created_at: Date;
  updated_at: Date;
}

/** A row of `owner_usage`: one owner's totals, checked against the quotas. */
export interface OwnerUsageTableRow {
  owner: string;
  schedules: number;
  /** bigint: read it cast to float8 (node-postgres returns int8 as a string). */
  fires_per_hour: number;
}

/**
 * A row of `executions`: one per occurrence of a schedule (unique on schedule and
 * scheduled time), carrying its lease while a scheduler holds it and its outcome after.
 */
export interface ExecutionTableRow {
  /** Deterministic (executionIdFor): the same for every retry and duplicate of the occurrence. */
  id: string;
  schedule_id: string;
  scheduled_at: Date;
  status: ExecutionStatus;
  attempts: number;
  max_attempts: number;
  /** When the next attempt is due: the scheduled time, or a retry time. */
  due_at: Date;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  /** Fencing token: bumped on every claim, checked by every write that follows one. */
  lease_version: number;
  scheduler_id: string | null;
  /** When the first attempt was made (lateness = fired_at - scheduled_at). */
  fired_at: Date | null;
  finished_at: Date | null;
  response_status: number | null;
  error: string | null;
  /** Why a skipped occurrence did not fire; null unless status is 'skipped'. */
  reason: SkipReason | null;
  /** Occurrences this row stands for: 1, or more for a skipped range (migration 1733800000000). */
  occurrence_count: number;
  /** The last occurrence of a skipped range (included); null for a row of one occurrence. */
  last_scheduled_at: Date | null;
  created_at: Date;
  /** When a delivered execution stops waiting for its report (migration 1733900000000). */
  result_deadline_at: Date | null;
  /** The target's report (POST /executions/:id/result); null until one arrives. */
  result_status: 'succeeded' | 'failed' | null;
  result_output: unknown;
  result_error: string | null;
  result_reported_at: Date | null;
}

/** A row of `execution_attempts`: one per attempt whose outcome was recorded. */
export interface ExecutionAttemptTableRow {
  execution_id: string;
  /** 1 for the first attempt. */
  number: number;
  started_at: Date;
  finished_at: Date;
  outcome: 'succeeded' | 'retryable_failure' | 'permanent_failure';
  /** HTTP status of a webhook attempt. */
  response_status: number | null;
  /** The broker's answer (a stream entry id, `duplicate`, …) as text. */
  response: string | null;
  /** Start of the attempt minus the time it was due, ms. */
  initiation_latency_ms: number | null;
  error_class: string | null;
  error_message: string | null;
  scheduler_id: string;
}

/** A row of `signing_secrets` (migration 1733200000000). */
export interface SigningSecretTableRow {
  id: string;
  owner: string;
  /** The `whsec_…` text sealed with SECRETS_KEY (context `signing-secret:<id>`), or as given without it. */
  secret: string;
  /** First 12 hex digits of SHA-256 of the text. */
  fingerprint: string;
  created_at: Date;
  /** Null while the secret signs. */
  retired_at: Date | null;
}
