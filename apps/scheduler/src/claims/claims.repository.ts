import { Logger } from '@nestjs/common';
import {
  decideOccurrences,
  executionIdFor,
  hasNoPlanPolicy,
  MAX_SKIPPED_ROWS,
  MAX_SKIPPED_WALK,
  type OccurrenceDecision,
  passedSkipNext,
  type PlanPolicyContext,
  planOccurrences,
  type SkippedOccurrence,
  type SkipReason,
} from '@scheduleman/domain';
import {
  ADVANCE_SCHEDULES,
  ANY_SCHEDULE_DUE,
  CLAIM_DUE,
  type ClaimDueRow,
  COMPLETE_FIRES,
  COUNT_DUE_BACKLOG,
  type DueBacklogRow,
  EXPIRE_RESULT_DEADLINES,
  INSERT_PLANNED_EXECUTIONS,
  PLAN_DUE_SCHEDULES,
  PLAN_POLICY_STATE,
  type PlanDueScheduleRow,
  type PlanPolicyStateRow,
  type PlannedExecutionRow,
  PRUNE_EXECUTIONS,
  READ_DATABASE_CLOCK,
  RELEASE_CLAIMS,
  RENEW_LEASES,
} from '@scheduleman/domain/persistence';
import {
  namedStatements,
  type PreparedStatement,
  preparedQuery,
  preparedStatementsOf,
} from '@scheduleman/runtime';
import type { DataSource, QueryRunner } from 'typeorm';
import type { ClaimResult, DueBacklog, FireRecord, PlanResult } from './claim';
import {
  backlogFromRow,
  claimFromClaimRow,
  claimFromPlannedRow,
  isClaimedRow,
  isLeasedPlannedRow,
} from './claims.rows';

/**
 * The statements of claims.sql.ts under their names: named prepared statements unless
 * DB_PREPARED_STATEMENTS=false (prepared-statements.ts), so PostgreSQL parses and plans
 * each once per connection instead of on every poll, claim and outcome batch.
 */
const SQL = namedStatements('scheduler', {
  ADVANCE_SCHEDULES,
  ANY_SCHEDULE_DUE,
  CLAIM_DUE,
  COMPLETE_FIRES,
  COUNT_DUE_BACKLOG,
  EXPIRE_RESULT_DEADLINES,
  INSERT_PLANNED_EXECUTIONS,
  PLAN_DUE_SCHEDULES,
  PLAN_POLICY_STATE,
  PRUNE_EXECUTIONS,
  READ_DATABASE_CLOCK,
  RELEASE_CLAIMS,
  RENEW_LEASES,
});

/** Who claims and for how long: the same for every claim a scheduler makes. */
export interface LeaseTerms {
  owner: string;
  leaseDurationMs: number;
}

export interface ClaimWindow {
  /** The scheduler's database-clock "now". */
  now: Date;
  /** Work due up to now + lookaheadMs is taken. */
  lookaheadMs: number;
  limit: number;
}

/** The lease a write is fenced on. */
export interface HeldLease {
  executionId: string;
  leaseVersion: number;
}

/**
 * Older skipped occurrences walked per plan batch, over all its schedules (each gets at
 * least MAX_SKIPPED_ROWS): a batch of schedules all back from a long outage costs a
 * bounded amount of CPU while their rows are locked; the rest waits for the next batch.
 */
export const MAX_SKIPPED_WALK_PER_BATCH = 2 * MAX_SKIPPED_WALK;

/**
 * The run-time policies of a planned schedule (plan-policies.ts), or null when it has
 * none: then every occurrence fires at its time, as before the policies existed.
 */
function policyContext(
  schedule: PlanDueScheduleRow,
  state: PlanPolicyStateRow | undefined,
  now: Date,
  horizon: Date,
): PlanPolicyContext | null {
  const policies = {
    catchUpWindow: schedule.catch_up_window,
    flexibleWindow: schedule.flexible_window,
    exclusions: schedule.exclusions,
    calendars: state?.calendars ?? [],
    overlapPolicy: schedule.overlap_policy,
    overlap: state?.overlap_state ?? 'finished',
    skipNextAt: schedule.skip_next_at,
  };
  if (hasNoPlanPolicy(policies)) return null;
  const spec = schedule.schedule;
  return {
    ...policies,
    scheduleId: schedule.id,
    zone: spec.type === 'cron' ? spec.timezone : 'UTC',
    now,
    horizon,
  };
}

/** A plan batch that found nothing due. */
function emptyPlan(): PlanResult {
  return {
    schedules: 0,
    claims: [],
    skippedExecutions: 0,
    skippedOccurrences: 0,
    skippedByReason: new Map(),
    unfinished: 0,
  };
}

interface Outcome<T> {
  rows: T[];
  rowCount: number;
}

/**
 * Runs the statements of claims.sql.ts and maps their snake_case rows to domain objects.
 * Affected rows are facts: a fenced write that returns no row for an execution means the
 * lease was lost, and callers act on exactly the ids returned.
 */
export class ClaimsRepository {
  private readonly logger = new Logger(ClaimsRepository.name);
  /**
   * RENEW_LEASES runs on a connection of its own, kept out of the pool's queue: when
   * planning, claiming and outcome writes hold every pooled connection, a renewal must
   * not wait behind them until the leases it renews have run out.
   */
  private renewalRunner: QueryRunner | undefined;
  /**
   * The last plan batch found nothing due: the next one asks ANY_SCHEDULE_DUE first, so
   * an idle scheduler's poll costs one plain statement instead of a plan transaction of
   * three (and a pooled connection held across them).
   */
  private planIdle = false;
  private readonly prepared: boolean;

  constructor(
    private readonly dataSource: DataSource,
    private readonly terms: LeaseTerms,
  ) {
    this.prepared = preparedStatementsOf(dataSource);
  }

  /** The database clock (OffsetClock calibration before the first round). */
  async readDatabaseClock(): Promise<Date> {
    const { rows } = await this.run<{ db_now: Date }>(
      SQL.READ_DATABASE_CLOCK,
      [],
    );
    return rows[0].db_now;
  }

  /**
   * Plan stage, one short transaction: lock due schedules (and, for a batch with
   * schedules that need them, read their calendars and overlap state in one more
   * statement), compute their occurrences in JS (planOccurrences,
   * with the misfire and DST policies; then decideOccurrences, with skip-next,
   * exclusions, catch-up window, overlap policy and flexible window), insert the
   * executions (leased to us when due within the horizon) and the skipped ones (the
   * ledger), advance the schedules. Three or four statements whatever the batch; nothing slow
   * happens while the locks are held. After a batch that found nothing, the next one
   * starts with ANY_SCHEDULE_DUE and opens the transaction only when something is due.
   */
  async planDue(window: ClaimWindow): Promise<PlanResult> {
    if (this.planIdle && !(await this.anyScheduleDue(window)))
      return emptyPlan();
    const result = await this.planLocked(window);
    this.planIdle = result.schedules === 0;
    return result;
  }

  private async anyScheduleDue({
    now,
    lookaheadMs,
  }: ClaimWindow): Promise<boolean> {
    const { rows } = await this.run<{ due: boolean }>(SQL.ANY_SCHEDULE_DUE, [
      now,
      lookaheadMs,
    ]);
    return rows[0].due;
  }

  private async planLocked(window: ClaimWindow): Promise<PlanResult> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      try {
        const result = await this.planInTransaction(runner, window);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }

  private async planInTransaction(
    runner: QueryRunner,
    { now, lookaheadMs, limit }: ClaimWindow,
  ): Promise<PlanResult> {
    const { rows: schedules } = await this.run<PlanDueScheduleRow>(
      SQL.PLAN_DUE_SCHEDULES,
      [now, lookaheadMs, limit],
      runner,
    );
    if (schedules.length === 0) return emptyPlan();

    const horizon = new Date(now.getTime() + lookaheadMs);
    const needState = schedules.filter(
      (s) => s.calendar_ids.length > 0 || s.overlap_policy !== 'allow',
    );
    const state = new Map<string, PlanPolicyStateRow>();
    if (needState.length > 0) {
      const { rows } = await this.run<PlanPolicyStateRow>(
        SQL.PLAN_POLICY_STATE,
        [needState.map((s) => s.id)],
        runner,
      );
      for (const row of rows) state.set(row.id, row);
    }
    const occurrences = {
      id: [] as string[],
      scheduleId: [] as string[],
      scheduledAt: [] as Date[],
      status: [] as string[],
      maxAttempts: [] as number[],
      reason: [] as (SkipReason | null)[],
      count: [] as number[],
      lastAt: [] as (Date | null)[],
      /** null: the scheduled time; 'infinity': held by buffer_one. */
      dueAt: [] as (Date | 'infinity' | null)[],
      leased: [] as boolean[],
    };
    const advance = {
      id: [] as string[],
      nextRunAt: [] as (Date | null)[],
      status: [] as string[],
      clearSkipNext: [] as boolean[],
    };
    let unfinished = 0;
    let walkBudget = MAX_SKIPPED_WALK_PER_BATCH;

    for (const schedule of schedules) {
      let plan: ReturnType<typeof planOccurrences>;
      try {
        plan = planOccurrences({
          spec: schedule.schedule,
          nextRunAt: schedule.next_run_at,
          now,
          horizon,
          misfirePolicy: schedule.misfire_policy,
          dstPolicies: {
            dstGapPolicy: schedule.dst_gap_policy,
            dstOverlapPolicy: schedule.dst_overlap_policy,
          },
          maxSkippedWalk: Math.max(
            MAX_SKIPPED_ROWS,
            Math.min(walkBudget, MAX_SKIPPED_WALK),
          ),
        });
      } catch (error) {
        // A stored spec the domain cannot read (the API validates, so this is corruption
        // or a version mismatch) must not wedge the plan stage by being first in every
        // batch: pause it, visibly, and carry on with the others.
        this.logger.error({
          msg: 'schedule cannot be planned; pausing it',
          scheduleId: schedule.id,
          error: String(error),
        });
        advance.id.push(schedule.id);
        advance.nextRunAt.push(null);
        advance.status.push('paused');
        advance.clearSkipNext.push(false);
        continue;
      }
      for (const skipped of plan.skipped) {
        pushOccurrence(schedule, skipped.at, skipped);
        if (skipped.count > 1) walkBudget -= skipped.count;
      }
      const context = policyContext(
        schedule,
        state.get(schedule.id),
        now,
        horizon,
      );
      if (context === null)
        for (const at of plan.fire) pushOccurrence(schedule, at, null);
      else
        for (const decision of decideOccurrences(plan.fire, context))
          pushDecision(schedule, decision);
      if (!plan.complete) unfinished++;
      advance.id.push(schedule.id);
      advance.nextRunAt.push(plan.nextRunAt);
      advance.status.push(plan.nextRunAt === null ? 'completed' : 'active');
      advance.clearSkipNext.push(
        passedSkipNext(schedule.skip_next_at, plan.nextRunAt),
      );
    }

    /** A pending occurrence (`skipped` null) or a skipped one or range. */
    function pushOccurrence(
      schedule: PlanDueScheduleRow,
      at: Date,
      skipped: SkippedOccurrence | null,
      dueAt: Date | 'infinity' | null = null,
      leased = true,
    ): void {
      occurrences.id.push(executionIdFor(schedule.id, at));
      occurrences.scheduleId.push(schedule.id);
      occurrences.scheduledAt.push(at);
      occurrences.status.push(skipped ? 'skipped' : 'pending');
      occurrences.maxAttempts.push(schedule.max_attempts);
      occurrences.reason.push(skipped?.reason ?? null);
      occurrences.count.push(skipped?.count ?? 1);
      occurrences.lastAt.push(
        skipped && skipped.count > 1 ? skipped.lastAt : null,
      );
      occurrences.dueAt.push(dueAt);
      occurrences.leased.push(leased);
    }

    function pushDecision(
      schedule: PlanDueScheduleRow,
      decision: OccurrenceDecision,
    ): void {
      const { at } = decision;
      if (decision.kind === 'skip')
        pushOccurrence(schedule, at, {
          at,
          reason: decision.reason,
          count: 1,
          lastAt: at,
        });
      else if (decision.kind === 'buffer')
        pushOccurrence(schedule, at, null, 'infinity', false);
      else
        pushOccurrence(
          schedule,
          at,
          null,
          decision.dueAt.getTime() === at.getTime() ? null : decision.dueAt,
          decision.leased,
        );
    }

    let inserted: PlannedExecutionRow[] = [];
    if (occurrences.id.length > 0) {
      const { owner, leaseDurationMs } = this.terms;
      ({ rows: inserted } = await this.run<PlannedExecutionRow>(
        SQL.INSERT_PLANNED_EXECUTIONS,
        [
          occurrences.id,
          occurrences.scheduleId,
          occurrences.scheduledAt,
          occurrences.status,
          occurrences.maxAttempts,
          owner,
          now,
          leaseDurationMs,
          occurrences.reason,
          occurrences.count,
          occurrences.lastAt,
          occurrences.dueAt,
          occurrences.leased,
        ],
        runner,
      ));
    }
    const advanced = await this.run(
      SQL.ADVANCE_SCHEDULES,
      [advance.id, advance.nextRunAt, advance.status, advance.clearSkipNext],
      runner,
    );
    if (advanced.rowCount !== advance.id.length) {
      throw new Error(
        `plan: advanced ${advanced.rowCount} of ${advance.id.length} locked schedules`,
      );
    }

    const byId = new Map(schedules.map((s) => [s.id, s]));
    const claims = inserted
      .filter(isLeasedPlannedRow)
      .map((row) =>
        claimFromPlannedRow(
          row,
          byId.get(row.schedule_id) as PlanDueScheduleRow,
        ),
      );
    // Counted from the rows inserted, so the metric agrees with the ledger: a replay
    // that inserts nothing counts nothing.
    const skippedByReason = new Map<SkipReason, number>();
    let skippedExecutions = 0;
    let skippedOccurrences = 0;
    for (const row of inserted) {
      if (row.status !== 'skipped' || row.reason === null) continue;
      skippedExecutions++;
      skippedOccurrences += row.occurrence_count;
      skippedByReason.set(
        row.reason,
        (skippedByReason.get(row.reason) ?? 0) + row.occurrence_count,
      );
    }
    return {
      schedules: schedules.length,
      claims,
      skippedExecutions,
      skippedOccurrences,
      skippedByReason,
      unfinished,
    };
  }

  /** Fire stage: claims unleased due executions and expired leases (CLAIM_DUE). */
  async claimDue({
    now,
    lookaheadMs,
    limit,
  }: ClaimWindow): Promise<ClaimResult> {
    const { owner, leaseDurationMs } = this.terms;
    const { rows } = await this.run<ClaimDueRow>(SQL.CLAIM_DUE, [
      now,
      lookaheadMs,
      limit,
      owner,
      leaseDurationMs,
    ]);
    const claims = rows.filter(isClaimedRow).map(claimFromClaimRow);
    return { claims, databaseNow: rows[rows.length - 1].db_now };
  }

  /** Extends the given leases; returns the new expiry of each one still held. */
  async renewLeases(
    leases: readonly HeldLease[],
    now: Date,
  ): Promise<Map<string, Date>> {
    if (leases.length === 0) return new Map();
    const { owner, leaseDurationMs } = this.terms;
    if (!this.renewalRunner || this.renewalRunner.isReleased)
      this.renewalRunner = this.dataSource.createQueryRunner();
    const runner = this.renewalRunner;
    try {
      const { rows } = await this.run<{ id: string; lease_expires_at: Date }>(
        SQL.RENEW_LEASES,
        [
          leases.map((l) => l.executionId),
          leases.map((l) => l.leaseVersion),
          owner,
          now,
          leaseDurationMs,
        ],
        runner,
      );
      return new Map(rows.map((r) => [r.id, r.lease_expires_at]));
    } catch (error) {
      // A broken connection is released (and destroyed) by TypeORM's error handler; any
      // other failure gives the connection back too, and the next renewal takes a new one.
      if (this.renewalRunner === runner) this.renewalRunner = undefined;
      await runner.release().catch(() => undefined);
      throw error;
    }
  }

  /** Gives the renewal connection back to the pool (shutdown). */
  async closeRenewalConnection(): Promise<void> {
    const runner = this.renewalRunner;
    this.renewalRunner = undefined;
    await runner?.release().catch(() => undefined);
  }

  /**
   * Records outcomes under their leases, with one execution_attempts row each (same
   * statement); returns the ids actually written.
   */
  async completeFires(records: readonly FireRecord[]): Promise<Set<string>> {
    if (records.length === 0) return new Set();
    const { rows } = await this.run<{ id: string }>(SQL.COMPLETE_FIRES, [
      records.map((r) => r.executionId),
      records.map((r) => r.leaseVersion),
      records.map((r) => r.status),
      records.map((r) => r.attempts),
      records.map((r) => r.retryAt),
      records.map((r) => r.firedAt),
      records.map((r) => r.finishedAt),
      records.map((r) => r.responseStatus),
      records.map((r) => r.error),
      this.terms.owner,
      records.map((r) => r.attempt.finishedAt),
      records.map((r) => r.attempt.outcome),
      records.map((r) => r.attempt.response),
      records.map((r) => r.attempt.initiationLatencyMs),
      records.map((r) => r.attempt.errorClass),
    ]);
    return new Set(rows.map((r) => r.id));
  }

  /** Gives back unfired executions (shutdown); returns the ids released. */
  async releaseClaims(leases: readonly HeldLease[]): Promise<Set<string>> {
    if (leases.length === 0) return new Set();
    const { rows } = await this.run<{ id: string }>(SQL.RELEASE_CLAIMS, [
      leases.map((l) => l.executionId),
      leases.map((l) => l.leaseVersion),
      this.terms.owner,
    ]);
    return new Set(rows.map((r) => r.id));
  }

  /** Deletes up to `limit` finished executions older than the retention; returns how many. */
  async pruneExecutions(
    now: Date,
    retentionMs: number,
    limit: number,
  ): Promise<number> {
    const { rowCount } = await this.run(SQL.PRUNE_EXECUTIONS, [
      now,
      retentionMs,
      limit,
    ]);
    return rowCount;
  }

  /**
   * Marks at most `limit` delivered executions whose result deadline passed as
   * 'result_timeout'; returns the ids of those that timed out.
   */
  async expireResultDeadlines(now: Date, limit: number): Promise<string[]> {
    const { rows } = await this.run<{ id: string; status: string }>(
      SQL.EXPIRE_RESULT_DEADLINES,
      [now, limit],
    );
    return rows.filter((r) => r.status === 'result_timeout').map((r) => r.id);
  }

  /** The due backlog, each count capped at `cap`. */
  async countDueBacklog(now: Date, cap: number): Promise<DueBacklog> {
    const { rows } = await this.run<DueBacklogRow>(SQL.COUNT_DUE_BACKLOG, [
      now,
      cap,
    ]);
    return backlogFromRow(rows[0]);
  }

  // TypeORM's plain query() returns [rows, count] for UPDATE/DELETE and rows otherwise;
  // the structured result gives both shapes the same fields.
  private async run<T>(
    statement: PreparedStatement,
    params: unknown[],
    runner?: QueryRunner,
  ): Promise<Outcome<T>> {
    const queryRunner = runner ?? this.dataSource.createQueryRunner();
    try {
      const result = await queryRunner.query(
        preparedQuery(statement, this.prepared),
        params,
        true,
      );
      const rows = result.records as T[];
      return { rows, rowCount: result.affected ?? rows.length };
    } finally {
      if (!runner) await queryRunner.release();
    }
  }
}
