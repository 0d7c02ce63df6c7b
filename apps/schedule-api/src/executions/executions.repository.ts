import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type ExecutionAttemptTableRow,
  RECORD_SCHEDULE_OUTCOMES,
  RELEASE_BUFFERED,
  WAKEUP_CHANNEL,
} from '@scheduleman/domain/persistence';
import type { DataSource } from 'typeorm';
import type { ExecutionRow } from '../schedules/schedule-rows';
import type { Queryable } from '../schedules/schedules.repository';
import { NOTIFY } from '../schedules/schedules.sql';
import * as sql from './executions.sql';

/** An execution with the owner of its schedule. */
export type OwnedExecutionRow = ExecutionRow & { owner: string | null };

export type AttemptRow = Omit<ExecutionAttemptTableRow, 'execution_id'>;

/** What LOCK_EXECUTION_FOR_RESULT returns. */
export interface ResultTargetRow {
  id: string;
  schedule_id: string;
  status: string;
  result_status: string | null;
  owner: string | null;
  same_report: boolean | null;
}

/** Runs executions.sql.ts; rows as they are. */
@Injectable()
export class ExecutionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(
    id: string,
    db: Queryable = this.dataSource,
  ): Promise<OwnedExecutionRow | undefined> {
    const rows: OwnedExecutionRow[] = await db.query(
      sql.SELECT_EXECUTION_WITH_OWNER,
      [id],
    );
    return rows[0];
  }

  /** Fetches limit + 1 attempts after `afterNumber` (0 for the first page). */
  async listAttempts(
    id: string,
    limit: number,
    afterNumber: number,
  ): Promise<AttemptRow[]> {
    return this.dataSource.query(sql.LIST_ATTEMPTS, [
      id,
      limit + 1,
      afterNumber,
    ]);
  }

  async lockForResult(
    tx: Queryable,
    id: string,
    report: { status: string; output: string | null; error: string | null },
  ): Promise<ResultTargetRow | undefined> {
    const rows: ResultTargetRow[] = await tx.query(
      sql.LOCK_EXECUTION_FOR_RESULT,
      [id, report.status, report.output, report.error],
    );
    return rows[0];
  }

  async storeResult(
    tx: Queryable,
    id: string,
    report: { status: string; output: string | null; error: string | null },
  ): Promise<void> {
    await tx.query(sql.STORE_RESULT, [
      id,
      report.status,
      report.output,
      report.error,
    ]);
  }

  /**
   * After a report, in its transaction: the schedule's health facts take the reported
   * outcome (RECORD_SCHEDULE_OUTCOMES), and an occurrence buffered behind this execution
   * (overlapPolicy buffer_one) is released at once (RELEASE_BUFFERED, the schedulers'
   * statement for one schedule), with a wake-up so a scheduler claims it now rather than
   * at its next poll. Returns how many were released (0 or 1).
   */
  async afterResult(
    tx: Queryable,
    target: { executionId: string; scheduleId: string; status: string },
  ): Promise<number> {
    await tx.query(RECORD_SCHEDULE_OUTCOMES, [
      [target.executionId],
      [target.status],
      [null],
      [true],
    ]);
    // An UPDATE answers [rows, affected] through query().
    const [rows]: [unknown[], number] = await tx.query(RELEASE_BUFFERED, [
      null,
      1,
      target.scheduleId,
    ]);
    if (rows.length > 0)
      await tx.query(NOTIFY, [
        WAKEUP_CHANNEL,
        JSON.stringify({ scheduleId: target.scheduleId, reason: 'released' }),
      ]);
    return rows.length;
  }
}
