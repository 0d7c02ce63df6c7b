import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  auditEntry,
  type BatchItemProblem,
  type Clock,
  type BatchRefusal,
  decisiveRefusal,
  indexProblems,
  itemRefusal,
  newTimeOrderedId,
  type Principal,
  type ScheduleBatchResponse,
} from '@scheduleman/domain';
import {
  CLOCK,
  InvalidRequestError,
  RefusedFieldsError,
} from '@scheduleman/runtime';
import { compileDtoPrecheck } from '../http/dto-precheck';
import { RequestValidationPipe } from '../http/request-validation.pipe';
import { CreateScheduleBatchDto } from './dto/create-schedule-batch.dto';
import { CreateScheduleDto } from './dto/create-schedule.dto';
import { OwnerQuotas } from './owner-quotas';
import { toScheduleResponse } from './schedule-rows';
import { SchedulesRepository } from './schedules.repository';
import { type PreparedCreate, SchedulesService } from './schedules.service';

const BATCH_METADATA = {
  type: 'body',
  metatype: CreateScheduleBatchDto,
  data: undefined,
} as const;
const ITEM_METADATA = { ...BATCH_METADATA, metatype: CreateScheduleDto };
const BATCH_PRECHECK = compileDtoPrecheck(CreateScheduleBatchDto);
const ITEM_PRECHECK = compileDtoPrecheck(CreateScheduleDto);

/**
 * POST /schedules/batch (docs/api.md "Bulk creation"): each item is checked as
 * POST /schedules checks its body (the DTO's rules, then SchedulesService.prepareCreate),
 * and every item's problems are reported by index before anything is written. The
 * body and its items are checked by their DTOs' rules straight on the parsed JSON
 * (compileDtoPrecheck); only what that does not accept goes through the ValidationPipe,
 * whose answer names the problems. Then one transaction: the connections and calendars the
 * items name (a statement for each such item), the owners' totals (one statement per
 * owner), one INSERT of every schedule with its events, and at most one NOTIFY.
 */
@Injectable()
export class ScheduleBatchService {
  private readonly logger = new Logger(ScheduleBatchService.name);
  private readonly validation = new RequestValidationPipe();

  constructor(
    private readonly schedules: SchedulesService,
    private readonly quotas: OwnerQuotas,
    private readonly repo: SchedulesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `body` as parsed from JSON, not yet validated (the controller leaves that to us). */
  async create(
    principal: Principal,
    body: unknown,
  ): Promise<ScheduleBatchResponse> {
    const dto = BATCH_PRECHECK?.(body)
      ? (body as CreateScheduleBatchDto)
      : ((await this.validation.transform(
          body,
          BATCH_METADATA,
        )) as CreateScheduleBatchDto);
    const refusals = new BatchRefusals();
    const prepared: PreparedCreate[] = [];
    for (const [index, item] of dto.schedules.entries()) {
      const one = ITEM_PRECHECK?.(item)
        ? refusals.attemptNow(index, () =>
            this.schedules.prepareCreate(principal, item as CreateScheduleDto),
          )
        : await this.prepareItem(principal, item, index, refusals);
      if (one) prepared.push(one);
    }
    refusals.throwIfAny();
    // The events' ids, time-ordered as the schedules' (prepareCreate), made once: a
    // transaction retried uses the same.
    const now = this.clock.now();
    const withAuditIds = prepared.map((one) => ({
      ...one,
      auditId: newTimeOrderedId(now),
    }));
    const rows = await this.repo.transaction(async (tx) => {
      // Per attempt: a transaction retried after a transient failure checks afresh.
      const unowned = new BatchRefusals();
      for (const [index, { state, connectionId }] of prepared.entries()) {
        if (
          connectionId === undefined &&
          state.policies.calendarIds.length === 0
        )
          continue;
        await unowned.attempt(index, () =>
          this.schedules.requireReferences(tx, state, connectionId),
        );
      }
      unowned.throwIfAny();
      await this.quotas.addBatch(
        tx,
        prepared.map(({ state }) => state),
      );
      const inserted = await this.repo.insertMany(
        tx,
        withAuditIds,
        auditEntry(principal, 'schedule.created'),
      );
      const dueSoon = prepared.filter(({ state }) =>
        this.schedules.isDueSoon(state),
      );
      if (dueSoon.length > 0)
        await this.repo.notifyWakeup(tx, {
          reason: 'created',
          schedules: dueSoon.length,
        });
      return inserted;
    });
    this.logger.log({ msg: 'schedules created', count: rows.length });
    return { items: rows.map(toScheduleResponse) };
  }

  /** One item as POST /schedules would take it, or undefined with its problems recorded. */
  private async prepareItem(
    principal: Principal,
    item: unknown,
    index: number,
    refusals: BatchRefusals,
  ): Promise<PreparedCreate | undefined> {
    let dto: CreateScheduleDto;
    try {
      dto = (await this.validation.transform(
        item,
        ITEM_METADATA,
      )) as CreateScheduleDto;
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      refusals.add('invalid', indexProblems(index, error.errors));
      return undefined;
    }
    return refusals.attemptNow(index, () =>
      this.schedules.prepareCreate(principal, dto),
    );
  }
}

/** The refused items of one batch, and the answer they make (decisiveRefusal). */
class BatchRefusals {
  private readonly kinds = new Set<BatchRefusal>();
  private readonly problems: BatchItemProblem[] = [];

  add(kind: BatchRefusal, problems: BatchItemProblem[]): void {
    this.kinds.add(kind);
    this.problems.push(...problems);
  }

  /** Runs `work` for item `index`; a refusal of the item is recorded (undefined), anything else thrown. */
  async attempt<T>(
    index: number,
    work: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      this.refuse(index, error);
      return undefined;
    }
  }

  /** attempt, for work that does not wait. */
  attemptNow<T>(index: number, work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      this.refuse(index, error);
      return undefined;
    }
  }

  /** Records `error` as item `index`'s refusal, or throws it when it is not one. */
  private refuse(index: number, error: unknown): void {
    if (error instanceof InvalidRequestError) {
      this.add('invalid', indexProblems(index, error.errors));
      return;
    }
    const refused = itemRefusal(error);
    if (!refused) throw error;
    this.add(refused.refusal, indexProblems(index, [refused.problem]));
  }

  throwIfAny(): void {
    const kind = decisiveRefusal(this.kinds);
    if (kind === undefined) return;
    const problems = [...this.problems].sort((a, b) => a.index - b.index);
    if (kind === 'invalid') throw new InvalidRequestError(problems);
    throw new RefusedFieldsError(
      kind === 'forbidden' ? 403 : 409,
      kind === 'forbidden' ? 'FORBIDDEN' : 'QUOTA_EXCEEDED',
      problems,
    );
  }
}
