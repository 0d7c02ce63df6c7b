import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type AuditEntry,
  type BackoffOptions,
  backoffDelayMs,
  type OwnerUsage,
} from '@scheduleman/domain';
import { WAKEUP_CHANNEL } from '@scheduleman/domain/persistence';
import {
  databaseFeaturesOf,
  isTransientDatabaseError,
  namedStatements,
  preparedStatementsOf,
  queryPrepared,
} from '@scheduleman/runtime';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, EntityManager } from 'typeorm';
import { auditEventParams } from '../audit/audit-events.sql';
import type { CursorKey, NextRunCursorKey } from './cursor';
import {
  type ExecutionRow,
  type InsertedBatch,
  insertedRow,
  stateColumns,
  type ScheduleAnswerRow,
  type ScheduleRow,
  type ScheduleState,
  type ScheduleWithRecentRow,
} from './schedule-rows';
import * as sql from './schedules.sql';

/** Anything that runs SQL: the DataSource, or the manager of an open transaction. */
export type Queryable = Pick<EntityManager, 'query'>;

/**
 * A transaction that failed transiently (a serialization failure, a deadlock, a lost or
 * refused connection: database-errors.ts) is run again from the start, at most this
 * many times in all, after the shared jittered backoff: 20..40 ms, then 40..80 ms.
 */
const MAX_TRANSACTION_ATTEMPTS = 3;
const TRANSACTION_RETRY_BACKOFF: BackoffOptions = { initialMs: 40, maxMs: 200 };

/** The creation statements, parsed and planned once per connection (prepared-statements.ts). */
const NAMED = namedStatements('api', {
  INSERT_SCHEDULE: sql.INSERT_SCHEDULE,
  INSERT_SCHEDULES: sql.INSERT_SCHEDULES,
  INSERT_SCHEDULE_WITHIN_QUOTA: sql.INSERT_SCHEDULE_WITHIN_QUOTA,
});

export interface ListSchedulesQuery {
  owner?: string;
  status?: string;
  /** Case-insensitive substring of the name. */
  q?: string;
  cursor?: CursorKey;
  nextRunCursor?: NextRunCursorKey;
  sort?: 'nextRunAt';
  limit: number;
  /** Adds each schedule's latest executions, at most this many (`recent_executions`). */
  recentExecutions?: number;
}

/**
 * Runs schedules.sql.ts through the DataSource and returns rows as they are. Methods
 * that write take the transaction's Queryable: the service decides what is atomic.
 * Every write a caller makes takes its AuditEntry: the statement records the event.
 */
@Injectable()
export class SchedulesRepository {
  private readonly prepared: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.prepared = preparedStatementsOf(dataSource);
  }

  /**
   * Runs `work` in one transaction, retrying it from the start on a serialization
   * failure or deadlock (rare at read committed, but an edit racing a plan transaction
   * and a cancellation racing a scheduler's batch can meet in the executions table).
   */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction('READ COMMITTED', (manager) =>
          work(manager),
        );
      } catch (error) {
        if (
          attempt >= MAX_TRANSACTION_ATTEMPTS ||
          !isTransientDatabaseError(error)
        )
          throw error;
        await sleep(backoffDelayMs(attempt, TRANSACTION_RETRY_BACKOFF));
      }
    }
  }

  async insert(
    tx: Queryable,
    id: string,
    state: ScheduleState,
    audit: AuditEntry,
  ): Promise<ScheduleRow> {
    const rows = await queryPrepared<ScheduleRow[]>(
      tx,
      NAMED.INSERT_SCHEDULE,
      rowParams(id, state, audit),
      this.prepared,
    );
    return rows[0];
  }

  /**
   * One INSERT outside any explicit transaction: atomic on its own, and one round trip
   * instead of four (BEGIN, SET TRANSACTION, INSERT, COMMIT), which the benchmark
   * measured as most of the API's cost per creation (docs/performance.md).
   */
  async insertAlone(
    id: string,
    state: ScheduleState,
    audit: AuditEntry,
  ): Promise<ScheduleRow> {
    return this.insert(this.dataSource, id, state, audit);
  }

  /**
   * INSERT_SCHEDULE_WITHIN_QUOTA for a schedule with an owner: undefined when the owner
   * is at a quota and nothing was written. `limits` in the database's terms (usageLimits).
   */
  async insertWithinQuota(
    id: string,
    state: ScheduleState,
    limits: OwnerUsage,
    audit: AuditEntry,
    db: Queryable = this.dataSource,
  ): Promise<ScheduleRow | undefined> {
    const rows = await queryPrepared<ScheduleRow[]>(
      db,
      NAMED.INSERT_SCHEDULE_WITHIN_QUOTA,
      [
        id,
        ...stateParams(state),
        limits.schedules,
        limits.firesPerHour,
        ...auditEventParams(audit),
        ...resultTimeoutParams(state),
        ...policyParams(state),
        ...silentAfterParams(state),
      ],
      this.prepared,
    );
    return rows[0];
  }

  /**
   * INSERT_SCHEDULES: every schedule with its `schedule.created` event (`auditId`), the
   * rows as written, in the order given, built from the input and the times returned.
   * Quotas are the caller's (OwnerQuotas.addBatch). Named and prepared like the single
   * creations: a batch sends it once per chunk (ScheduleBatchService).
   */
  async insertMany(
    tx: Queryable,
    schedules: readonly { id: string; auditId: string; state: ScheduleState }[],
    audit: AuditEntry,
  ): Promise<ScheduleAnswerRow[]> {
    const [written] = await queryPrepared<InsertedBatch[]>(
      tx,
      NAMED.INSERT_SCHEDULES,
      [
        JSON.stringify(
          schedules.map(({ id, auditId, state }) =>
            batchRow(id, auditId, state),
          ),
        ),
        ...auditEventParams(audit),
      ],
      this.prepared,
    );
    if (
      written.inserted !== schedules.length ||
      written.last_created_at.getTime() !== written.created_at.getTime()
    )
      throw new Error(
        `INSERT_SCHEDULES wrote ${String(written.inserted)} rows of ${String(schedules.length)}, or not at one time`,
      );
    const { created_at, updated_at, read_at } = written;
    return schedules.map(({ id, state }) =>
      insertedRow(state, { id, created_at, updated_at, read_at }),
    );
  }

  async find(
    id: string,
    db: Queryable = this.dataSource,
  ): Promise<ScheduleRow | undefined> {
    const rows: ScheduleRow[] = await db.query(sql.SELECT_SCHEDULE, [id]);
    return rows[0];
  }

  /** `owner` null: any owner; else only a schedule of that owner counts. */
  async exists(id: string, owner: string | null): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(sql.SCHEDULE_EXISTS, [
      id,
      owner,
    ]);
    return rows.length > 0;
  }

  /** SELECT … FOR UPDATE; see LOCK_SCHEDULE. */
  async lock(tx: Queryable, id: string): Promise<ScheduleRow | undefined> {
    const rows: ScheduleRow[] = await tx.query(sql.LOCK_SCHEDULE, [id]);
    return rows[0];
  }

  async update(
    tx: Queryable,
    id: string,
    state: ScheduleState,
    audit: AuditEntry,
  ): Promise<ScheduleRow> {
    const result: unknown[] = await tx.query(
      sql.UPDATE_SCHEDULE,
      rowParams(id, state, audit),
    );
    return firstResult(result)[0] as ScheduleRow;
  }

  /** True when a row was deleted; `owner` null: any owner, else only that owner's. */
  async delete(
    id: string,
    owner: string | null,
    audit: AuditEntry,
  ): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(sql.DELETE_SCHEDULE, [
      id,
      owner,
      ...auditEventParams(audit),
    ]);
    return firstResult(rows).length > 0;
  }

  /** Returns how many pending executions were cancelled. */
  async cancelLaterPendingExecutions(
    tx: Queryable,
    scheduleId: string,
    reason: string,
  ): Promise<number> {
    const result: unknown = await tx.query(
      sql.CANCEL_LATER_PENDING_EXECUTIONS,
      [scheduleId, reason],
    );
    // TypeORM returns [rows, affected] for an UPDATE on PostgreSQL.
    return Array.isArray(result) && typeof result[1] === 'number'
      ? result[1]
      : 0;
  }

  async lockForRunNow(
    tx: Queryable,
    scheduleId: string,
  ): Promise<
    { maxAttempts: number; now: Date; owner: string | null } | undefined
  > {
    const rows: { max_attempts: number; now: Date; owner: string | null }[] =
      await tx.query(sql.SELECT_FOR_RUN_NOW, [scheduleId]);
    return (
      rows[0] && {
        maxAttempts: rows[0].max_attempts,
        now: rows[0].now,
        owner: rows[0].owner,
      }
    );
  }

  /**
   * Inserts a run-now execution, or returns the one that already has this instant
   * (then no event is recorded: it is the same run). `owner`: the schedule's.
   */
  async insertRunNowExecution(
    tx: Queryable,
    id: string,
    schedule: { id: string; owner: string | null; maxAttempts: number },
    at: Date,
    audit: AuditEntry,
  ): Promise<ExecutionRow> {
    const inserted: ExecutionRow[] = await tx.query(
      sql.INSERT_RUN_NOW_EXECUTION,
      [
        id,
        schedule.id,
        at,
        schedule.maxAttempts,
        schedule.owner,
        ...auditEventParams(audit),
      ],
    );
    if (inserted[0]) return inserted[0];
    const existing: ExecutionRow[] = await tx.query(sql.SELECT_EXECUTION, [id]);
    return existing[0];
  }

  /**
   * NOTIFY on WAKEUP_CHANNEL; inside a transaction it is delivered at commit. Nothing
   * with DATABASE_FEATURES=portable: the schedulers poll (docs/scaling.md).
   */
  async notifyWakeup(
    tx: Queryable,
    payload: Record<string, unknown>,
  ): Promise<void> {
    if (databaseFeaturesOf(this.dataSource) === 'portable') return;
    await tx.query(sql.NOTIFY, [WAKEUP_CHANNEL, JSON.stringify(payload)]);
  }

  async list(query: ListSchedulesQuery): Promise<ScheduleWithRecentRow[]> {
    const { sql: text, params } = sql.listSchedulesSql(query);
    return this.dataSource.query(text, params);
  }

  async listExecutions(
    scheduleId: string,
    limit: number,
    cursor?: CursorKey,
  ): Promise<ExecutionRow[]> {
    const params: unknown[] = [scheduleId, limit + 1];
    if (cursor) params.push(cursor.at);
    return this.dataSource.query(
      sql.listExecutionsSql(cursor !== undefined),
      params,
    );
  }
}

/** The parameters of INSERT_SCHEDULE and UPDATE_SCHEDULE, in their order. */
function rowParams(
  id: string,
  state: ScheduleState,
  audit: AuditEntry,
): unknown[] {
  return [
    id,
    ...stateParams(state),
    ...auditEventParams(audit),
    ...resultTimeoutParams(state),
    ...policyParams(state),
    ...silentAfterParams(state),
  ];
}

function stateParams(state: ScheduleState): unknown[] {
  return [
    state.name,
    state.owner,
    state.metadata === null ? null : JSON.stringify(state.metadata),
    state.schedule.type,
    JSON.stringify(state.schedule),
    state.trigger.type,
    JSON.stringify(state.trigger),
    state.misfirePolicy,
    state.maxAttempts,
    state.status,
    state.nextRunAt,
    state.firesPerHour,
  ];
}

/**
 * One row of INSERT_SCHEDULES, keyed by column (BATCH_ROW_TYPES), values as stateParams
 * and policyParams give them. Null columns are left out: jsonb_to_recordset reads a
 * missing key as null, as it reads a JSON null, and the statement costs ~14 % less
 * (docs/performance.md "Bulk creation: PostgreSQL's floor, chunks in flight").
 */
function batchRow(
  id: string,
  auditId: string,
  state: ScheduleState,
): Record<string, unknown> {
  const row: Record<string, unknown> = {
    id,
    schedule_type: state.schedule.type,
    trigger_type: state.trigger.type,
    audit_id: auditId,
  };
  const columns: Record<string, unknown> = stateColumns(state);
  for (const column in columns) {
    const value = columns[column];
    if (value !== null) row[column] = value;
  }
  return row;
}

/** The last two parameters of the schedule writes (see insertValues in schedules.sql.ts). */
function resultTimeoutParams(state: ScheduleState): unknown[] {
  return [state.resultTimeout, state.resultTimeoutMs];
}

/** silentAfter as given and in ms: the last two parameters of the schedule writes. */
function silentAfterParams(state: ScheduleState): unknown[] {
  return [state.silentAfter, state.silentAfterMs];
}

/** The parameters of schedules.sql.ts policyValues, in POLICY_COLUMNS order. */
function policyParams(state: ScheduleState): unknown[] {
  const p = state.policies;
  return [
    p.catchUpWindow,
    JSON.stringify(p.exclusions),
    p.calendarIds,
    p.flexibleWindow,
    p.pausedUntil,
    p.overlapPolicy,
    state.skipNextAt,
    p.dstGapPolicy,
    p.dstOverlapPolicy,
  ];
}

/** For UPDATE and DELETE, TypeORM's PostgreSQL driver returns [rows, affected] instead of rows. */
function firstResult(result: unknown[]): unknown[] {
  return Array.isArray(result[0]) ? (result[0] as unknown[]) : result;
}
