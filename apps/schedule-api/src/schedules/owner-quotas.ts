import { Inject, Injectable } from '@nestjs/common';
import {
  type AuditEntry,
  checkCronInterval,
  checkOwnerUsage,
  type OwnerUsage,
  type ScheduleQuotas,
  type ScheduleSpec,
  type ScheduleStatus,
  scheduleRate,
  sumOwnerUsage,
  usageLimits,
} from '@scheduleman/domain';
import * as sql from './owner-usage.sql';
import type { ScheduleRow, ScheduleState } from './schedule-rows';
import { type Queryable, SchedulesRepository } from './schedules.repository';

/** Nest token for the ScheduleQuotas read from the configuration. */
export const SCHEDULE_QUOTAS = Symbol('SCHEDULE_QUOTAS');

const NOTHING: OwnerUsage = { schedules: 0, firesPerHour: 0 };

/**
 * The quotas of docs/security.md ("Rate limits and quotas") at the points where a
 * schedule enters, changes or leaves an owner's totals (owner_usage). The fast path is
 * one conditional statement on the owner's row; only when it refuses are the owner's
 * schedules counted exactly (the slow path), and the refusal is confirmed or the write
 * goes ahead on that count. Owner-less schedules (only an admin makes them) have no
 * totals; QUOTA_MIN_CRON_INTERVAL applies to every schedule.
 */
@Injectable()
export class OwnerQuotas {
  private readonly limits: OwnerUsage;

  constructor(
    private readonly repo: SchedulesRepository,
    @Inject(SCHEDULE_QUOTAS) private readonly quotas: ScheduleQuotas,
  ) {
    this.limits = usageLimits(quotas);
  }

  /** Checks a new spec against QUOTA_MIN_CRON_INTERVAL (409) and returns its fires per hour. Pure: no database. */
  firesPerHourOf(spec: ScheduleSpec): number {
    const rate = scheduleRate(spec);
    checkCronInterval(rate, this.quotas);
    return rate.firesPerHour;
  }

  /**
   * Inserts a new schedule, counted in its owner's totals; throws QuotaExceededError
   * with nothing written when they would go over a quota. `then` runs in the same
   * transaction after the insert (the wake-up NOTIFY); without it, and when the owner is
   * within its quotas, the creation is a single statement. `audit`: the creation's
   * event, written by the statement that inserts the schedule.
   */
  async insert(
    id: string,
    state: ScheduleState,
    audit: AuditEntry,
    then?: (tx: Queryable, row: ScheduleRow) => Promise<void>,
    /** Runs first, in the same transaction (e.g. the share lock of the schedule's connection). */
    before?: (tx: Queryable) => Promise<void>,
  ): Promise<ScheduleRow> {
    const owner = state.owner;
    const fast = (db?: Queryable): Promise<ScheduleRow | undefined> => {
      // The one-statement path counts the schedule's rate (it creates it active); one
      // created paused (pausedUntil) takes the exact path below, which counts none.
      if (owner !== null)
        return state.status === 'paused'
          ? Promise.resolve(undefined)
          : this.repo.insertWithinQuota(id, state, this.limits, audit, db);
      return db
        ? this.repo.insert(db, id, state, audit)
        : this.repo.insertAlone(id, state, audit);
    };
    const inserted =
      then || before
        ? await this.repo.transaction(async (tx) => {
            if (before) await before(tx);
            const row = await fast(tx);
            if (row && then) await then(tx, row);
            return row;
          })
        : await fast();
    if (inserted || owner === null) return inserted as ScheduleRow;
    return this.repo.transaction(async (tx) => {
      if (before) await before(tx);
      await this.addSlowly(
        tx,
        owner,
        contribution(state.status, state.firesPerHour),
      );
      const row = await this.repo.insert(tx, id, state, audit);
      if (then) await then(tx, row);
      return row;
    });
  }

  /**
   * Adds new schedules to their owners' totals in the caller's transaction, one
   * statement per owner in name order (sumOwnerUsage), so two batches of the same
   * owners cannot deadlock. Throws QuotaExceededError when an owner would go over a
   * quota; the caller's transaction then rolls back, and nothing is written.
   * `written`: the transaction has already inserted them, so the exact recount of the
   * slow path finds them and does not add them again.
   */
  async addBatch(
    tx: Queryable,
    schedules: Iterable<{
      owner: string | null;
      status: ScheduleStatus;
      firesPerHour: number;
    }>,
    { written = false }: { written?: boolean } = {},
  ): Promise<void> {
    const totals = sumOwnerUsage(
      [...schedules].map((state) => ({
        owner: state.owner,
        usage: contribution(state.status, state.firesPerHour),
      })),
    );
    for (const [owner, amount] of totals)
      await this.add(tx, owner, amount, written);
  }

  /**
   * Moves a schedule's share of the totals from `before` (its locked row) to `after`
   * (what is about to be written), in the caller's transaction: a change of owner, of
   * rate, or between paused and not. Throws QuotaExceededError when what grows would
   * go over a quota; the caller's transaction then rolls back. Owners are locked in
   * name order, so two edits moving schedules between the same owners cannot deadlock.
   */
  async move(
    tx: Queryable,
    before: ScheduleRow,
    after: ScheduleState,
  ): Promise<void> {
    const was = contribution(before.status, before.fires_per_hour);
    const will = contribution(after.status, after.firesPerHour);
    if (before.owner === after.owner) {
      if (before.owner === null) return;
      const grows = will.firesPerHour - was.firesPerHour;
      if (grows > 0)
        await this.add(tx, before.owner, { schedules: 0, firesPerHour: grows });
      if (grows < 0)
        await this.subtract(tx, before.owner, {
          schedules: 0,
          firesPerHour: -grows,
        });
      return;
    }
    const steps: [string, () => Promise<void>][] = [];
    const { owner: from } = before;
    const { owner: to } = after;
    if (from !== null) steps.push([from, () => this.subtract(tx, from, was)]);
    if (to !== null) steps.push([to, () => this.add(tx, to, will)]);
    steps.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, step] of steps) await step();
  }

  private async add(
    tx: Queryable,
    owner: string,
    amount: OwnerUsage,
    written = false,
  ): Promise<void> {
    const rows: unknown[] = await tx.query(sql.ADD_OWNER_USAGE, [
      owner,
      amount.schedules,
      amount.firesPerHour,
      this.limits.schedules,
      this.limits.firesPerHour,
    ]);
    if (rows.length === 0) await this.addSlowly(tx, owner, amount, written);
  }

  private async subtract(
    tx: Queryable,
    owner: string,
    amount: OwnerUsage,
  ): Promise<void> {
    if (amount.schedules === 0 && amount.firesPerHour === 0) return;
    await tx.query(sql.SUBTRACT_OWNER_USAGE, [
      owner,
      amount.schedules,
      amount.firesPerHour,
    ]);
  }

  /**
   * The fast path refused: lock the owner's totals, recount them from its schedules,
   * and refuse only if the exact count is over; otherwise store the count plus
   * `amount` (repairing totals that had drifted), or the count alone when it already
   * holds `amount` (`written`: inserted by this transaction). Runs in the caller's
   * transaction.
   */
  private async addSlowly(
    tx: Queryable,
    owner: string,
    amount: OwnerUsage,
    written = false,
  ): Promise<void> {
    await tx.query(sql.LOCK_OWNER_USAGE, [owner]);
    const [counted] = await tx.query<
      { schedules: number; fires_per_hour: number }[]
    >(sql.COUNT_OWNER_USAGE, [owner]);
    const added = written ? NOTHING : amount;
    const total: OwnerUsage = {
      schedules: counted.schedules + added.schedules,
      firesPerHour: counted.fires_per_hour + added.firesPerHour,
    };
    checkOwnerUsage(owner, total, amount, this.quotas);
    await tx.query(sql.SET_OWNER_USAGE, [
      owner,
      total.schedules,
      total.firesPerHour,
    ]);
  }
}

/** What one schedule adds to its owner's totals: itself, and its rate unless paused. */
function contribution(
  status: ScheduleStatus,
  firesPerHour: number,
): OwnerUsage {
  return status === 'paused'
    ? { ...NOTHING, schedules: 1 }
    : { schedules: 1, firesPerHour };
}
