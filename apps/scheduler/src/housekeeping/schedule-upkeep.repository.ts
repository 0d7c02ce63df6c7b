import { Logger } from '@nestjs/common';
import { firstRunAfterPause } from '@scheduleman/domain';
import {
  ANY_ENDED_PAUSE,
  COUNT_SCHEDULE_HEALTH,
  type EndedPauseRow,
  LOCK_ENDED_PAUSES,
  RECORD_SCHEDULE_OUTCOMES,
  RELEASE_BUFFERED,
  RESUME_ENDED_PAUSES,
  type ScheduleHealthCountRow,
} from '@scheduleman/domain/persistence';
import {
  namedStatements,
  preparedStatementsOf,
  queryPrepared,
} from '@scheduleman/runtime';
import type { DataSource } from 'typeorm';

/** The statements run every second or per outcome batch, named (claims.repository.ts). */
const SQL = namedStatements('scheduler', {
  ANY_ENDED_PAUSE,
  COUNT_SCHEDULE_HEALTH,
  RECORD_SCHEDULE_OUTCOMES,
  RELEASE_BUFFERED,
});

/** How an execution ended, for the schedule's health facts. */
export interface FinishedOutcome {
  executionId: string;
  outcome: 'succeeded' | 'failed' | 'result_timeout';
  at: Date;
}

/**
 * Runs schedule-upkeep.sql.ts for the housekeeping sweeps and the outcome recorder:
 * the end of pauses, the release of buffered occurrences, the health facts and counts.
 */
export class ScheduleUpkeepRepository {
  private readonly logger = new Logger(ScheduleUpkeepRepository.name);
  private readonly prepared: boolean;

  constructor(
    private readonly dataSource: DataSource,
    /** Named in the history entry of every pause this scheduler ends. */
    private readonly schedulerId: string,
  ) {
    this.prepared = preparedStatementsOf(dataSource);
  }

  /**
   * Resumes at most `limit` schedules whose pause ended by `now` (when any did,
   * ANY_ENDED_PAUSE), in one short transaction: lock them (SKIP LOCKED), compute each next run in JS
   * (firstRunAfterPause, the first occurrence at or after the pause's end), write them
   * with their history entries. Returns how many resumed (active or completed).
   */
  async resumeEndedPauses(now: Date, limit: number): Promise<number> {
    // Nearly always nothing: one statement instead of a transaction of three.
    const [{ ended }] = await queryPrepared<{ ended: boolean }[]>(
      this.dataSource,
      SQL.ANY_ENDED_PAUSE,
      [now],
      this.prepared,
    );
    if (!ended) return 0;
    return this.dataSource.transaction(async (tx) => {
      const rows: EndedPauseRow[] = await tx.query(LOCK_ENDED_PAUSES, [
        now,
        limit,
      ]);
      if (rows.length === 0) return 0;
      const next = rows.map((row) => {
        try {
          return firstRunAfterPause(row.schedule, row.paused_until);
        } catch (error) {
          // A stored spec the domain cannot read stays paused (visibly) rather than
          // being first in every sweep: its end is cleared below.
          this.logger.error({
            msg: 'schedule cannot be resumed at the end of its pause; leaving it paused',
            scheduleId: row.id,
            error: String(error),
          });
          return undefined;
        }
      });
      const resumable = rows.filter((_, i) => next[i] !== undefined);
      const runs = next.filter((at) => at !== undefined);
      const result: unknown[] = await tx.query(RESUME_ENDED_PAUSES, [
        resumable.map((r) => r.id),
        runs,
        runs.map((at) => (at === null ? 'completed' : 'active')),
        resumable.map(
          (r) => `pause ended (pausedUntil ${r.paused_until.toISOString()})`,
        ),
        this.schedulerId,
      ]);
      const unreadable = rows.filter((_, i) => next[i] === undefined);
      if (unreadable.length > 0)
        await tx.query(
          `update schedules set paused_until = null where id = any($1::uuid[])`,
          [unreadable.map((r) => r.id)],
        );
      return result.length;
    });
  }

  /**
   * Makes due at most `limit` buffered occurrences (overlapPolicy buffer_one) whose
   * previous execution finished; returns how many.
   */
  async releaseBuffered(now: Date, limit: number): Promise<number> {
    // An UPDATE answers [rows, affected] through DataSource.query.
    const [rows] = await queryPrepared<[unknown[], number]>(
      this.dataSource,
      SQL.RELEASE_BUFFERED,
      [now, limit, null],
      this.prepared,
    );
    return rows.length;
  }

  /** Stores how the given executions ended in their schedules' health facts. */
  async recordOutcomes(outcomes: readonly FinishedOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await queryPrepared(
      this.dataSource,
      SQL.RECORD_SCHEDULE_OUTCOMES,
      [
        outcomes.map((o) => o.executionId),
        outcomes.map((o) => o.outcome),
        outcomes.map((o) => o.at),
        outcomes.map(() => false),
      ],
      this.prepared,
    );
  }

  /** Schedules silent, failing and late (each state counted once, worst first), capped. */
  async countHealth(
    now: Date,
    cap: number,
    lateAfterMs: number,
  ): Promise<ScheduleHealthCountRow> {
    const rows = await queryPrepared<ScheduleHealthCountRow[]>(
      this.dataSource,
      SQL.COUNT_SCHEDULE_HEALTH,
      [now, cap, lateAfterMs],
      this.prepared,
    );
    return rows[0];
  }
}
