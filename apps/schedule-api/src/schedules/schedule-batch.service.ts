import { Inject, Injectable, Logger } from '@nestjs/common';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import {
  auditEntry,
  type AuditEntry,
  type BatchItemProblem,
  type Clock,
  type BatchRefusal,
  decisiveRefusal,
  indexProblems,
  itemRefusal,
  newTimeOrderedId,
  type Principal,
  type ScheduleBatchResponse,
  type ScheduleResponse,
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
import { type ScheduleAnswerRow, toScheduleResponse } from './schedule-rows';
import { type Queryable, SchedulesRepository } from './schedules.repository';
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
 * whose answer names the problems. All in one transaction, chunk by chunk of
 * INSERT_CHUNK items: a chunk is checked and parsed, the connections and calendars its
 * items name are checked (a statement for each such item), and its INSERT (the schedules
 * with their events) is sent without waiting, so PostgreSQL writes one chunk while the
 * next is parsed. Once any item is refused nothing more is inserted, the rest is still
 * checked, and the refusal rolls the transaction back: nothing is stored. Then the
 * owners' totals (one statement per owner, after the INSERTs) and at most one NOTIFY.
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
    // The events' ids, time-ordered as the schedules' (prepareCreate).
    const items = new PreparedItems(
      this.clock.now(),
      dto.schedules,
      (item, index, refusals) =>
        ITEM_PRECHECK?.(item)
          ? refusals.attemptNow(index, () =>
              this.schedules.prepareCreate(
                principal,
                item as CreateScheduleDto,
              ),
            )
          : this.prepareItem(principal, item, index, refusals),
    );
    const audit = auditEntry(principal, 'schedule.created');
    const answers = await this.repo.transaction(async (tx) => {
      // Per attempt: a transaction retried after a transient failure checks afresh.
      const unowned = new BatchRefusals();
      const written = new PendingInserts();
      try {
        return await this.insertChunks(tx, items, unowned, written, audit);
      } catch (error) {
        throw await written.cause(error);
      }
    });
    this.logger.log({ msg: 'schedules created', count: answers.length });
    return { items: answers };
  }

  /** The transaction's work: each chunk checked, then sent, then totals and NOTIFY. */
  private async insertChunks(
    tx: Queryable,
    items: PreparedItems,
    unowned: BatchRefusals,
    written: PendingInserts,
    audit: AuditEntry,
  ): Promise<ScheduleResponse[]> {
    for (const chunk of chunksOf(items.length, INSERT_CHUNK)) {
      // Parsed while PostgreSQL inserts the chunk before; once, even if retried.
      const prepared = await items.prepare(chunk);
      if (items.refusals.any()) continue;
      const referring = prepared.filter(
        ([, { state, connectionId }]) =>
          connectionId !== undefined || state.policies.calendarIds.length > 0,
      );
      if (referring.length > 0) await written.idle();
      for (const [index, { state, connectionId }] of referring)
        await unowned.attempt(index, () =>
          this.schedules.requireReferences(tx, state, connectionId),
        );
      if (unowned.any()) continue;
      written.add(() =>
        this.repo.insertMany(
          tx,
          prepared.map(([, one]) => one),
          audit,
        ),
      );
      // Lets node-postgres send the INSERT before the next chunk is parsed.
      await setImmediatePromise();
    }
    items.refusals.throwIfAny();
    unowned.throwIfAny();
    const inserted = await written.all();
    const states = items.all().map(({ state }) => state);
    // After the INSERTs, which the owners' exact recount then finds (written: true).
    await this.quotas.addBatch(tx, states, { written: true });
    const dueSoon = states.filter((state) => this.schedules.isDueSoon(state));
    if (dueSoon.length > 0)
      await this.repo.notifyWakeup(tx, {
        reason: 'created',
        schedules: dueSoon.length,
      });
    return inserted;
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

  any(): boolean {
    return this.kinds.size > 0;
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

/** Items per INSERT of a batch: the next chunk is parsed while one is inserted. */
const INSERT_CHUNK = 200;

/** [from, to) ranges of `size` covering 0..length. */
function chunksOf(length: number, size: number): [number, number][] {
  const chunks: [number, number][] = [];
  for (let from = 0; from < length; from += size)
    chunks.push([from, Math.min(length, from + size)]);
  return chunks;
}

type Prepared = PreparedCreate & { auditId: string };

/**
 * A batch's items, each prepared (validated, parsed, given its ids) the first time a
 * range is asked for, and kept: a transaction retried uses the same ids. The refused
 * ones are in `refusals`.
 */
class PreparedItems {
  readonly refusals = new BatchRefusals();
  private readonly prepared: (Prepared | undefined)[] = [];
  private done = 0;

  constructor(
    private readonly now: Date,
    private readonly items: readonly unknown[],
    private readonly prepareOne: (
      item: unknown,
      index: number,
      refusals: BatchRefusals,
    ) => PreparedCreate | undefined | Promise<PreparedCreate | undefined>,
  ) {}

  /** The accepted items of [from, to), with their indexes. */
  async prepare([from, to]: [number, number]): Promise<[number, Prepared][]> {
    for (; this.done < to; this.done++) {
      const one = await this.prepareOne(
        this.items[this.done],
        this.done,
        this.refusals,
      );
      this.prepared[this.done] = one && {
        id: one.id,
        state: one.state,
        connectionId: one.connectionId,
        auditId: newTimeOrderedId(this.now),
      };
    }
    const accepted: [number, Prepared][] = [];
    for (let index = from; index < to; index++) {
      const one = this.prepared[index];
      if (one) accepted.push([index, one]);
    }
    return accepted;
  }

  get length(): number {
    return this.items.length;
  }

  /** Every accepted item, once all are prepared. */
  all(): Prepared[] {
    return this.prepared.filter((one): one is Prepared => one !== undefined);
  }
}

/**
 * A transaction's INSERTs, each sent as soon as the one before it is done (never queued
 * behind it in node-postgres, which pg@9 drops and pg 8 warns about), so PostgreSQL
 * writes one chunk while the next is parsed. Each chunk's answers are made as its rows
 * come back. After a failure nothing more is sent; the failure is kept for `all` and
 * `cause`, not left unhandled meanwhile.
 */
class PendingInserts {
  private readonly pending: Promise<ScheduleResponse[]>[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  add(send: () => Promise<ScheduleAnswerRow[]>): void {
    const answers = this.tail
      .then(() => {
        // The first failure is `cause`'s: a later chunk's answer is only its echo.
        if (this.failure)
          throw new Error('an earlier INSERT of the batch failed');
        return send();
      })
      .then((rows) => rows.map(toScheduleResponse));
    answers.catch((error: unknown) => {
      this.failure ??= { error };
    });
    this.tail = answers.catch(() => undefined);
    this.pending.push(answers);
  }

  /** Resolves once no INSERT is running: another statement may be sent. */
  idle(): Promise<unknown> {
    return this.tail;
  }

  async all(): Promise<ScheduleResponse[]> {
    return (await Promise.all(this.pending)).flat();
  }

  /**
   * What to throw for `error`, raised by a statement sent after some INSERTs: the first
   * INSERT's own failure when there was one. Every later statement of the transaction
   * then fails only with "current transaction is aborted" (25P02), which would hide it
   * (a deadlock that a retry cures, say, would become a 500).
   */
  async cause(error: unknown): Promise<unknown> {
    await Promise.allSettled(this.pending);
    return this.failure ? this.failure.error : error;
  }
}
