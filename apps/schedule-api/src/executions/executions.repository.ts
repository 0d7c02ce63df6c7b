import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ExecutionAttemptTableRow } from '@scheduleman/domain/persistence';
import type { DataSource } from 'typeorm';
import type { ExecutionRow } from '../schedules/schedule-rows';
import type { Queryable } from '../schedules/schedules.repository';
import * as sql from './executions.sql';

/** An execution with the owner of its schedule. */
export type OwnedExecutionRow = ExecutionRow & { owner: string | null };

export type AttemptRow = Omit<ExecutionAttemptTableRow, 'execution_id'>;

/** What LOCK_EXECUTION_FOR_RESULT returns. */
export interface ResultTargetRow {
  id: string;
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
}
