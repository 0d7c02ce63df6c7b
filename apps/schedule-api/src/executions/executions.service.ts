import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type AttemptListResponse,
  canSee,
  type ExecutionDetailResponse,
  type ExecutionResponse,
  ForbiddenError,
  NotFoundError,
  parseTaskResultReport,
  type Principal,
  RESULT_TOKEN_HEADER,
  ResultTokens,
  type SecretBox,
  ValidationError,
} from '@scheduleman/domain';
import { InvalidRequestError, SECRET_BOX } from '@scheduleman/runtime';
import { DEFAULT_PAGE_LIMIT } from '../schedules/dto/queries.dto';
import { ScheduleConflictError } from '../schedules/schedule-conflict.error';
import { toExecutionResponse } from '../schedules/schedule-rows';
import { SchedulesRepository } from '../schedules/schedules.repository';
import { type AttemptRow, ExecutionsRepository } from './executions.repository';

/** The first page of attempts in GET /schedules/:id/executions/:executionId. */
export const DETAIL_ATTEMPTS_LIMIT = 20;

/** How the caller of a result report proved its right to make it. */
export interface ResultReporter {
  /** X-Scheduleman-Result-Token, when sent. */
  token?: string;
  /** The API key's principal (or AUTH_DISABLED's), when authenticated that way. */
  principal?: Principal;
}

/**
 * An execution's detail and attempts, and the result reports of targets
 * (docs/api.md, "Executions: attempts and results").
 */
@Injectable()
export class ExecutionsService {
  private readonly logger = new Logger(ExecutionsService.name);
  /** Null without SECRETS_KEY: no token was ever sent, so none verifies. */
  private readonly tokens: ResultTokens | null;

  constructor(
    private readonly repo: ExecutionsRepository,
    private readonly schedules: SchedulesRepository,
    @Inject(SECRET_BOX) secretBox: SecretBox | null,
  ) {
    this.tokens = secretBox ? new ResultTokens(secretBox.keyBytes) : null;
  }

  async detail(
    principal: Principal,
    scheduleId: string,
    executionId: string,
  ): Promise<ExecutionDetailResponse> {
    const row = await this.repo.find(executionId);
    if (!(await this.schedules.exists(scheduleId, principal.owner)))
      throw new NotFoundError('schedule', scheduleId);
    if (!row || row.schedule_id !== scheduleId || !canSee(principal, row.owner))
      throw new NotFoundError('execution', executionId);
    const { attempts: attemptCount, ...execution } = toExecutionResponse(row);
    return {
      ...execution,
      attemptCount,
      attempts: await this.attemptsPage(executionId, DETAIL_ATTEMPTS_LIMIT),
    };
  }

  async attempts(
    principal: Principal,
    scheduleId: string,
    executionId: string,
    query: { limit?: number; cursor?: string },
  ): Promise<AttemptListResponse> {
    const after = query.cursor ? decodeAttemptCursor(query.cursor) : 0;
    await this.detailOwnerCheck(principal, scheduleId, executionId);
    return this.attemptsPage(
      executionId,
      query.limit ?? DEFAULT_PAGE_LIMIT,
      after,
    );
  }

  /**
   * A target's report. The first report wins; the same report again answers 200 with
   * what is stored; a different one is a 409. The token is checked before anything is
   * read, so a forged one learns nothing about whether the execution exists.
   */
  async report(
    reporter: ResultReporter,
    executionId: string,
    body: unknown,
  ): Promise<ExecutionResponse> {
    const owner = this.authorise(reporter, executionId);
    const { report, problems } = parseTaskResultReport(body);
    if (!report) throw toRequestError(problems);
    const stored = {
      status: report.status,
      output: report.output === null ? null : JSON.stringify(report.output),
      error: report.error,
    };
    await this.schedules.transaction(async (tx) => {
      const target = await this.repo.lockForResult(tx, executionId, stored);
      if (!target || (owner !== undefined && !canSee(owner, target.owner)))
        throw new NotFoundError('execution', executionId);
      if (target.result_status !== null) {
        if (target.same_report) return;
        throw new ScheduleConflictError(
          'status',
          'a different result was already reported for this execution (the first report wins)',
        );
      }
      if (target.status === 'skipped')
        throw new ScheduleConflictError(
          'status',
          'this occurrence was skipped, never delivered: there is no result to report',
        );
      await this.repo.storeResult(tx, executionId, stored);
      await this.repo.afterResult(tx, {
        executionId,
        scheduleId: target.schedule_id,
        status: report.status,
      });
    });
    const row = await this.repo.find(executionId);
    if (!row) throw new NotFoundError('execution', executionId);
    this.logger.log({
      msg: 'result reported',
      executionId,
      status: report.status,
    });
    return toExecutionResponse(row);
  }

  /**
   * Returns the principal whose owner must see the execution, or undefined when a valid
   * token proved the right to report on exactly this execution.
   */
  private authorise(
    reporter: ResultReporter,
    executionId: string,
  ): Principal | undefined {
    if (reporter.token !== undefined) {
      if (this.tokens?.verify(executionId, reporter.token)) return undefined;
      // Without SECRETS_KEY (AUTH_DISABLED only) no token exists to check: the caller
      // acts as the anonymous admin it already is.
      if (!this.tokens && reporter.principal) return reporter.principal;
      throw new ForbiddenError(
        RESULT_TOKEN_HEADER,
        'the result token is not valid for this execution',
      );
    }
    if (!reporter.principal)
      throw new Error('unreachable: AuthGuard authenticates without a token');
    return reporter.principal;
  }

  private async detailOwnerCheck(
    principal: Principal,
    scheduleId: string,
    executionId: string,
  ): Promise<void> {
    if (!(await this.schedules.exists(scheduleId, principal.owner)))
      throw new NotFoundError('schedule', scheduleId);
    const row = await this.repo.find(executionId);
    if (!row || row.schedule_id !== scheduleId)
      throw new NotFoundError('execution', executionId);
  }

  private async attemptsPage(
    executionId: string,
    limit: number,
    after = 0,
  ): Promise<AttemptListResponse> {
    const rows = await this.repo.listAttempts(executionId, limit, after);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(toAttemptResponse),
      nextCursor:
        rows.length > limit && last ? encodeAttemptCursor(last.number) : null,
    };
  }
}

function toAttemptResponse(row: AttemptRow) {
  return {
    number: row.number,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at.toISOString(),
    outcome: row.outcome,
    responseStatus: row.response_status,
    response: row.response,
    initiationLatencyMs: row.initiation_latency_ms,
    errorClass: row.error_class,
    errorMessage: row.error_message,
    schedulerId: row.scheduler_id,
  };
}

function toRequestError(problems: ValidationError[]): Error {
  if (problems.length === 1) return problems[0];
  return new InvalidRequestError(
    problems.map((p) => ({
      field: p.field,
      message: p.message.slice(p.field.length + 2),
    })),
  );
}

/** Attempt cursors: `["a", <last number>]`, base64url; opaque to clients. */
export function encodeAttemptCursor(number: number): string {
  return Buffer.from(JSON.stringify(['a', number]), 'utf8').toString(
    'base64url',
  );
}

export function decodeAttemptCursor(cursor: string): number {
  const invalid = new ValidationError(
    'cursor',
    'is not a cursor returned by this endpoint (pass nextCursor back unchanged)',
  );
  if (cursor.length > 100 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    parsed[0] !== 'a' ||
    !Number.isInteger(parsed[1]) ||
    (parsed[1] as number) < 1 ||
    (parsed[1] as number) > 1_000_000
  )
    throw invalid;
  return parsed[1] as number;
}
