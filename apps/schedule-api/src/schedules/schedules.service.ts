import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  auditEntry,
  canSee,
  changedFields,
  type Clock,
  connectionIdOf,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MISFIRE_POLICY,
  DEFAULT_SCHEDULE_POLICIES,
  addPolicyNotes,
  executionIdFor,
  type ExecutionListResponse,
  type ExecutionResponse,
  firstRunAt,
  newTimeOrderedId,
  NotFoundError,
  noteDetails,
  occurrenceToSkip,
  ownerFilter,
  ownerFor,
  parseIsoInstant,
  parsePausedUntil,
  previewOccurrences,
  describeSchedule,
  RECENT_EXECUTIONS_COUNT,
  type PreviewResponse,
  type Principal,
  type SecretBox,
  sealTriggerSecrets,
  type ScheduleListResponse,
  type SchedulePolicies,
  type SchedulePolicyInput,
  type ScheduleResponse,
  type UpcomingResponse,
  isOneShot,
  type TriggerDefinition,
  type TriggerParseContext,
  upcomingOccurrences,
} from '@scheduleman/domain';
import { CLOCK, SECRET_BOX } from '@scheduleman/runtime';
import { CalendarUsage } from '../calendars/calendar-usage';
import { ConnectionUsage } from '../connections/connection-usage';
import { CoalescedCreations } from './coalesced-creations';
import {
  decodeCursor,
  decodeNextRunCursor,
  encodeCursor,
  encodeNextRunCursor,
} from './cursor';
import type { CreateScheduleDto } from './dto/create-schedule.dto';
import {
  DEFAULT_PAGE_LIMIT,
  DEFAULT_UPCOMING_COUNT,
  type ListSchedulesQueryDto,
  type PageQueryDto,
} from './dto/queries.dto';
import type { PauseScheduleDto } from './dto/pause-schedule.dto';
import type { PreviewScheduleDto } from './dto/preview.dto';
import type { UpdateScheduleDto } from './dto/update-schedule.dto';
import { OwnerQuotas } from './owner-quotas';
import { ScheduleConflictError } from './schedule-conflict.error';
import { type ParsedInput, parseScheduleInput } from './schedule-input';
import {
  policiesOf,
  type ScheduleRow,
  type ScheduleState,
  stateOf,
  toExecutionResponse,
  toScheduleListItem,
  toScheduleResponse,
} from './schedule-rows';
import { type Queryable, SchedulesRepository } from './schedules.repository';

/**
 * A schedule whose next run is at most this far away wakes the schedulers (NOTIFY)
 * instead of waiting for their next poll: a 2-second delay then fires on time.
 */
export const NOTIFY_WITHIN_MS = 5_000;

/** A schedule ready to insert: checked, with its id, and the connection its trigger names. */
export interface PreparedCreate {
  id: string;
  state: ScheduleState;
  connectionId: string | undefined;
}

/** Nest token for the TriggerParseContext built from the configuration. */
export const TRIGGER_PARSE_CONTEXT = Symbol('TRIGGER_PARSE_CONTEXT');

/** Nest token for the trigger definitions schedules may use (TRIGGER_DEFINITIONS). */
export const SCHEDULE_TRIGGER_DEFINITIONS = Symbol(
  'SCHEDULE_TRIGGER_DEFINITIONS',
);

/**
 * The schedule API's use cases. Validation happens before any transaction opens; every
 * write that can change when a schedule fires locks the schedule row first (see
 * LOCK_SCHEDULE) and commits before the answer, so an accepted change is durable.
 */
@Injectable()
export class SchedulesService {
  private readonly logger = new Logger(SchedulesService.name);

  constructor(
    private readonly repo: SchedulesRepository,
    private readonly quotas: OwnerQuotas,
    private readonly creations: CoalescedCreations,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(TRIGGER_PARSE_CONTEXT)
    private readonly triggerContext: TriggerParseContext,
    @Inject(SCHEDULE_TRIGGER_DEFINITIONS)
    private readonly triggerDefinitions: readonly TriggerDefinition[],
    private readonly connections: ConnectionUsage,
    private readonly calendars: CalendarUsage,
    /** Seals secret header values before they are stored; null: stored as given (docs/security.md). */
    @Inject(SECRET_BOX) private readonly secretBox: SecretBox | null,
  ) {}

  async create(
    principal: Principal,
    dto: CreateScheduleDto,
  ): Promise<ScheduleResponse> {
    const { id, state, connectionId } = this.prepareCreate(principal, dto);
    const { calendarIds } = state.policies;
    const audit = auditEntry(principal, 'schedule.created', {
      scheduleType: state.schedule.type,
      triggerType: state.trigger.type,
    });
    // Only a schedule due soon needs the NOTIFY, delivered at the commit of its insert,
    // and one on a connection the share lock of its connection; every other creation is
    // a single statement (quotas included: OwnerQuotas.insert), and an owner's active
    // one is written together with those arriving at the same time (CoalescedCreations).
    const then = this.isDueSoon(state)
      ? (tx: Queryable, inserted: ScheduleRow) =>
          this.wakeIfDueSoon(tx, inserted, 'created')
      : undefined;
    const before =
      connectionId === undefined && calendarIds.length === 0
        ? undefined
        : (tx: Queryable) => this.requireReferences(tx, state, connectionId);
    const row =
      !then && !before && state.owner !== null && state.status === 'active'
        ? await this.creations.insert({
            id,
            auditId: newTimeOrderedId(this.clock.now()),
            state,
            audit,
          })
        : await this.quotas.insert(id, state, audit, then, before);
    // Debug, not info: at thousands of creations a second the line was a stdout write
    // per request; every creation is counted in http_request_duration_seconds_count
    // (route /schedules, 201) and recorded durably as its `schedule.created` event.
    this.logger.debug({
      msg: 'schedule created',
      scheduleId: row.id,
      type: row.schedule.type,
      nextRunAt: row.next_run_at,
    });
    return toScheduleResponse(row);
  }

  /**
   * What a creation stores, from a body the DTO has checked: everything but the
   * database is checked here (the owner the key may use, the domain parsers, the cron
   * interval quota), so a refusal writes nothing. Also used by POST /schedules/batch,
   * once per item.
   */
  prepareCreate(principal: Principal, dto: CreateScheduleDto): PreparedCreate {
    const owner = ownerFor(principal, dto.owner);
    const parsed = this.parse(dto);
    if (!parsed.schedule || !parsed.firstRunAt || !parsed.trigger)
      throw new Error(
        'unreachable: schedule and trigger are required by the DTO',
      );
    const connectionId = this.connections.connectionIdOf(parsed.trigger);
    const policies: SchedulePolicies = {
      ...DEFAULT_SCHEDULE_POLICIES,
      ...parsed.policies,
    };
    // With pausedUntil it is created paused, to resume by itself then (pause-until.ts).
    const paused = policies.pausedUntil !== null;
    // The id first: secret header values are sealed for this row (their context names it).
    const id = newTimeOrderedId(this.clock.now());
    const state: ScheduleState = {
      name: dto.name ?? null,
      owner,
      metadata: dto.metadata ?? null,
      schedule: parsed.schedule,
      trigger: sealTriggerSecrets(parsed.trigger, {
        scheduleId: id,
        box: this.secretBox,
      }),
      misfirePolicy: dto.misfirePolicy ?? DEFAULT_MISFIRE_POLICY,
      maxAttempts: dto.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      resultTimeout:
        parsed.resultTimeoutMs == null ? null : (dto.resultTimeout ?? null),
      resultTimeoutMs: parsed.resultTimeoutMs ?? null,
      silentAfter:
        parsed.silentAfterMs == null ? null : (dto.silentAfter ?? null),
      silentAfterMs: parsed.silentAfterMs ?? null,
      status: paused ? 'paused' : 'active',
      nextRunAt: paused ? null : parsed.firstRunAt,
      firesPerHour: this.quotas.firesPerHourOf(parsed.schedule),
      policies,
      skipNextAt: null,
    };
    return { id, state, connectionId };
  }

  /**
   * The connection and calendars a new schedule names must be its owner's; they stay
   * share-locked until `tx` commits (ConnectionUsage, CalendarUsage).
   */
  async requireReferences(
    tx: Queryable,
    state: ScheduleState,
    connectionId: string | undefined,
  ): Promise<void> {
    if (connectionId !== undefined)
      await this.connections.require(tx, state, connectionId);
    await this.calendars.require(tx, state.policies.calendarIds, state.owner);
  }

  /** True when a schedule in `state` is due within NOTIFY_WITHIN_MS (then its creation wakes the schedulers). */
  isDueSoon(state: Pick<ScheduleState, 'status' | 'nextRunAt'>): boolean {
    return (
      state.status === 'active' &&
      state.nextRunAt !== null &&
      state.nextRunAt.getTime() - this.clock.now().getTime() <= NOTIFY_WITHIN_MS
    );
  }

  async get(principal: Principal, id: string): Promise<ScheduleResponse> {
    return toScheduleResponse(await this.findOrFail(principal, id));
  }

  /** A key bound to an owner lists that owner's schedules only. */
  async list(
    principal: Principal,
    query: ListSchedulesQueryDto,
  ): Promise<ScheduleListResponse> {
    const owner = ownerFilter(principal, query.owner);
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const byNextRun = query.sort === 'nextRunAt';
    const cursor =
      query.cursor && !byNextRun ? decodeCursor(query.cursor, true) : undefined;
    const nextRunCursor =
      query.cursor && byNextRun ? decodeNextRunCursor(query.cursor) : undefined;
    const rows = await this.repo.list({
      owner,
      status: query.status,
      q: query.q === '' ? undefined : query.q,
      cursor,
      nextRunCursor,
      sort: byNextRun ? 'nextRunAt' : undefined,
      limit,
      recentExecutions: query.include?.includes('recentExecutions')
        ? RECENT_EXECUTIONS_COUNT
        : undefined,
    });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const more = rows.length > limit && last !== undefined;
    return {
      items: items.map(toScheduleListItem),
      nextCursor: !more
        ? null
        : byNextRun
          ? encodeNextRunCursor({ at: last.next_run_at_key, id: last.id })
          : encodeCursor({ at: last.created_at_key, id: last.id }),
    };
  }

  /**
   * A new `schedule` recomputes next_run_at from now (a paused schedule stays paused;
   * a completed one becomes active again) and cancels pending executions due more than
   * 2 s from now, which belonged to the old timing. Other fields change nothing else.
   */
  async update(
    principal: Principal,
    id: string,
    dto: UpdateScheduleDto,
  ): Promise<ScheduleResponse> {
    const owner =
      dto.owner === undefined ? undefined : ownerFor(principal, dto.owner);
    const parsed = this.parse(dto);
    const newConnectionId = parsed.trigger
      ? this.connections.connectionIdOf(parsed.trigger)
      : undefined;
    const firesPerHour =
      parsed.schedule && this.quotas.firesPerHourOf(parsed.schedule);
    if (Object.values(dto).every((value) => value === undefined))
      return this.get(principal, id);
    const row = await this.repo.transaction(async (tx) => {
      const current = await this.lockOrFail(tx, principal, id);
      const next = stateOf(current);
      if (dto.name !== undefined) next.name = dto.name;
      if (owner !== undefined) next.owner = owner;
      if (dto.metadata !== undefined) next.metadata = dto.metadata;
      if (dto.misfirePolicy !== undefined)
        next.misfirePolicy = dto.misfirePolicy;
      if (dto.maxAttempts !== undefined) next.maxAttempts = dto.maxAttempts;
      if (parsed.resultTimeoutMs !== undefined) {
        next.resultTimeoutMs = parsed.resultTimeoutMs;
        next.resultTimeout =
          parsed.resultTimeoutMs === null ? null : (dto.resultTimeout ?? null);
      }
      if (parsed.silentAfterMs !== undefined) {
        next.silentAfterMs = parsed.silentAfterMs;
        next.silentAfter =
          parsed.silentAfterMs === null ? null : (dto.silentAfter ?? null);
      }
      // A secret header sent back as the mask keeps the value stored in this row.
      if (parsed.trigger)
        next.trigger = sealTriggerSecrets(parsed.trigger, {
          scheduleId: id,
          box: this.secretBox,
          previous: current.trigger,
        });
      // A new trigger, or a new owner for the connection the trigger already names.
      const connectionId =
        newConnectionId ??
        (!parsed.trigger && next.owner !== current.owner
          ? connectionIdOf(next.trigger)
          : undefined);
      if (connectionId !== undefined)
        await this.connections.require(tx, next, connectionId);
      if (parsed.schedule && parsed.firstRunAt) {
        next.schedule = parsed.schedule;
        next.firesPerHour = firesPerHour ?? 0;
        // A marked occurrence belonged to the old timing.
        next.skipNextAt = null;
        if (current.status !== 'paused') {
          next.status = 'active';
          next.nextRunAt = parsed.firstRunAt;
        }
        await this.repo.cancelLaterPendingExecutions(
          tx,
          id,
          'cancelled: the schedule was edited',
        );
      }
      await this.applyPolicies(tx, current, next, parsed.policies);
      await this.quotas.move(tx, current, next);
      // Field names only: a value may be secret (a trigger's headers).
      const updated = await this.repo.update(
        tx,
        id,
        next,
        auditEntry(principal, 'schedule.updated', {
          fields: changedFields(dto),
          ...(next.owner === current.owner
            ? {}
            : { previousOwner: current.owner }),
        }),
      );
      if (parsed.schedule) await this.wakeIfDueSoon(tx, updated, 'edited');
      return updated;
    });
    return toScheduleResponse(row);
  }

  async delete(principal: Principal, id: string): Promise<void> {
    if (
      !(await this.repo.delete(
        id,
        principal.owner,
        auditEntry(principal, 'schedule.deleted'),
      ))
    )
      throw new NotFoundError('schedule', id);
    this.logger.log({ msg: 'schedule deleted', scheduleId: id });
  }

  /**
   * Idempotent. Pending executions due more than 2 s from now are cancelled. `note`
   * goes into the `schedule.paused` event (the schedule's history); `until`
   * (pausedUntil) ends the pause by itself, and on a paused schedule it moves the end.
   */
  async pause(
    principal: Principal,
    id: string,
    dto: PauseScheduleDto,
  ): Promise<ScheduleResponse> {
    const until =
      dto.until === undefined
        ? undefined
        : parsePausedUntil(dto.until, this.clock.now(), 'until');
    const row = await this.repo.transaction(async (tx) => {
      const current = await this.lockOrFail(tx, principal, id);
      if (current.status === 'paused') {
        const end = current.paused_until?.getTime() ?? null;
        if (until === undefined || (until?.getTime() ?? null) === end)
          return current;
        const next = stateOf(current);
        next.policies.pausedUntil = until;
        return this.repo.update(
          tx,
          id,
          next,
          auditEntry(principal, 'schedule.paused', {
            ...noteDetails(dto.note),
            until: until?.toISOString() ?? null,
          }),
        );
      }
      if (current.status === 'completed') {
        throw new ScheduleConflictError(
          'status',
          'the schedule is completed, there is nothing left to pause (PATCH a new schedule to reactivate it)',
        );
      }
      await this.repo.cancelLaterPendingExecutions(
        tx,
        id,
        'cancelled: the schedule was paused',
      );
      const next: ScheduleState = {
        ...stateOf(current),
        status: 'paused',
        nextRunAt: null,
      };
      next.policies.pausedUntil = until ?? null;
      await this.quotas.move(tx, current, next);
      return this.repo.update(
        tx,
        id,
        next,
        auditEntry(principal, 'schedule.paused', {
          ...noteDetails(dto.note),
          ...(until ? { until: until.toISOString() } : {}),
        }),
      );
    });
    return toScheduleResponse(row);
  }

  /**
   * Idempotent for an active schedule. A paused one restarts from now: a cron at its
   * next occurrence; a one-shot at its `at`, even when that passed while paused, so the
   * scheduler's misfire policy decides whether it still fires. `note` as on pause.
   */
  async resume(
    principal: Principal,
    id: string,
    note?: string,
  ): Promise<ScheduleResponse> {
    const row = await this.repo.transaction(async (tx) => {
      const current = await this.lockOrFail(tx, principal, id);
      if (current.status === 'active') return current;
      if (current.status === 'completed') {
        throw new ScheduleConflictError(
          'status',
          'the schedule is completed and cannot be resumed (PATCH a new schedule to reactivate it)',
        );
      }
      const nextRunAt = firstRunAt(current.schedule, this.clock.now());
      const next: ScheduleState = {
        ...stateOf(current),
        status: nextRunAt ? 'active' : 'completed',
        nextRunAt,
      };
      next.policies.pausedUntil = null;
      await this.quotas.move(tx, current, next);
      const updated = await this.repo.update(
        tx,
        id,
        next,
        auditEntry(principal, 'schedule.resumed', {
          status: next.status,
          ...noteDetails(note),
        }),
      );
      await this.wakeIfDueSoon(tx, updated, 'resumed');
      return updated;
    });
    return toScheduleResponse(row);
  }

  /**
   * Marks the next occurrence to be skipped (reason `skip_next`, pause-until.ts):
   * idempotent while that occurrence is marked. 409 naming `status` when there is no
   * next occurrence to mark (completed, or paused without an end).
   */
  async skipNext(principal: Principal, id: string): Promise<ScheduleResponse> {
    const row = await this.repo.transaction(async (tx) => {
      const current = await this.lockOrFail(tx, principal, id);
      const at = occurrenceToSkip({
        spec: current.schedule,
        status: current.status,
        nextRunAt: current.next_run_at,
        pausedUntil: current.paused_until,
      });
      if (at === null)
        throw new ScheduleConflictError(
          'status',
          current.status === 'paused'
            ? 'the schedule is paused without an end (pausedUntil), so it has no next occurrence to skip'
            : `the schedule is ${current.status} and has no next occurrence to skip`,
        );
      if (current.skip_next_at?.getTime() === at.getTime()) return current;
      return this.repo.update(
        tx,
        id,
        { ...stateOf(current), skipNextAt: at },
        auditEntry(principal, 'schedule.skip_next', {
          scheduledAt: at.toISOString(),
        }),
      );
    });
    return toScheduleResponse(row);
  }

  /**
   * Run now: one pending, unleased execution due at once (database clock), whatever
   * the schedule's status; its regular occurrences are unaffected.
   */
  async runNow(principal: Principal, id: string): Promise<ExecutionResponse> {
    const execution = await this.repo.transaction(async (tx) => {
      const target = await this.repo.lockForRunNow(tx, id);
      if (!target || !canSee(principal, target.owner))
        throw new NotFoundError('schedule', id);
      const executionId = executionIdFor(id, target.now);
      const inserted = await this.repo.insertRunNowExecution(
        tx,
        executionId,
        { id, owner: target.owner, maxAttempts: target.maxAttempts },
        target.now,
        auditEntry(principal, 'schedule.triggered', { executionId }),
      );
      await this.repo.notifyWakeup(tx, {
        scheduleId: id,
        reason: 'run-now',
        executionId: inserted.id,
      });
      return inserted;
    });
    this.logger.log({
      msg: 'schedule run now',
      scheduleId: id,
      executionId: execution.id,
    });
    return toExecutionResponse(execution);
  }

  /**
   * The next `count` occurrences. For an active schedule they start at its next_run_at
   * when that is already due (a one-shot about to fire); completed schedules have none.
   */
  async upcoming(
    principal: Principal,
    id: string,
    count = DEFAULT_UPCOMING_COUNT,
  ): Promise<UpcomingResponse> {
    const row = await this.findOrFail(principal, id);
    if (row.status === 'completed') return { scheduleId: id, items: [] };
    const now = this.clock.now();
    // Occurrences strictly after now. The one exception is an active one-shot whose time
    // has just passed: it has not fired yet, so it is still the one thing coming. A cron's
    // overdue next_run_at is not listed: under the misfire policy it may never fire as such.
    const unfiredOneShot =
      row.status === 'active' &&
      isOneShot(row.schedule) &&
      row.next_run_at !== null &&
      row.next_run_at.getTime() <= now.getTime();
    const after =
      unfiredOneShot && row.next_run_at
        ? new Date(row.next_run_at.getTime() - 1)
        : now;
    return {
      scheduleId: id,
      items: upcomingOccurrences(
        row.schedule,
        after,
        count,
        policiesOf(row),
      ).map((d) => d.toISOString()),
    };
  }

  /**
   * Occurrences of a spec that is not stored: validated as on create (a cron that never
   * fires is a 400 on `schedule.expression`), then listed by the firing code.
   */
  async preview(
    principal: Principal,
    dto: PreviewScheduleDto,
  ): Promise<PreviewResponse> {
    const { schedule, policies: sent } = parseScheduleInput(
      {
        schedule: dto.schedule,
        catchUpWindow: dto.catchUpWindow,
        exclusions: dto.exclusions,
        calendarIds: dto.calendarIds,
        flexibleWindow: dto.flexibleWindow,
        pausedUntil: dto.pausedUntil,
        overlapPolicy: dto.overlapPolicy,
        dstGapPolicy: dto.dstGapPolicy,
        dstOverlapPolicy: dto.dstOverlapPolicy,
      },
      this.clock,
      this.triggerContext,
      this.triggerDefinitions,
    );
    if (!schedule) throw new Error('parseScheduleInput returned no schedule');
    // Without `from`, a one-shot shows the at create would store, even one accepted a
    // moment in the past (AT_PAST_TOLERANCE_MS), as firstRunAt does.
    const now = this.clock.now();
    const from =
      dto.from !== undefined
        ? parseIsoInstant(dto.from, 'from')
        : isOneShot(schedule)
          ? new Date(Math.min(now.getTime(), Date.parse(schedule.at)))
          : now;
    const policies: SchedulePolicies = {
      ...DEFAULT_SCHEDULE_POLICIES,
      ...sent,
    };
    const calendars = await this.calendars.read(
      policies.calendarIds,
      principal,
    );
    return {
      description: describeSchedule(schedule),
      items: addPolicyNotes(
        previewOccurrences(
          schedule,
          from,
          dto.count ?? DEFAULT_UPCOMING_COUNT,
          policies,
        ),
        policies,
        {
          zone: schedule.type === 'cron' ? schedule.timezone : 'UTC',
          calendars,
          scheduleId: dto.scheduleId?.toLowerCase(),
        },
      ),
    };
  }

  async listExecutions(
    principal: Principal,
    id: string,
    query: PageQueryDto,
  ): Promise<ExecutionListResponse> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const cursor = query.cursor ? decodeCursor(query.cursor, false) : undefined;
    if (!(await this.repo.exists(id, principal.owner)))
      throw new NotFoundError('schedule', id);
    const rows = await this.repo.listExecutions(id, limit, cursor);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(toExecutionResponse),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ at: last.scheduled_at_key ?? '' })
          : null,
    };
  }

  private parse(
    input: {
      schedule?: unknown;
      trigger?: unknown;
      metadata?: Record<string, unknown> | null;
      resultTimeout?: unknown;
      silentAfter?: unknown;
    } & SchedulePolicyInput,
  ): ParsedInput {
    return parseScheduleInput(
      input,
      this.clock,
      this.triggerContext,
      this.triggerDefinitions,
    );
  }

  /**
   * The policy fields of a PATCH onto `next`. `calendarIds` are checked against the new
   * owner (also when only the owner changes). A `pausedUntil` pauses an active schedule
   * as POST /pause would (409 for a completed one); null removes the end of a pause.
   */
  private async applyPolicies(
    tx: Queryable,
    current: ScheduleRow,
    next: ScheduleState,
    sent: Partial<SchedulePolicies>,
  ): Promise<void> {
    const { pausedUntil, ...rest } = sent;
    Object.assign(next.policies, rest);
    if (sent.calendarIds !== undefined || next.owner !== current.owner)
      await this.calendars.require(tx, next.policies.calendarIds, next.owner);
    if (pausedUntil === undefined) return;
    next.policies.pausedUntil = pausedUntil;
    if (pausedUntil === null || next.status === 'paused') return;
    if (next.status === 'completed')
      throw new ScheduleConflictError(
        'pausedUntil',
        'the schedule is completed, there is nothing left to pause (PATCH a new schedule to reactivate it)',
      );
    next.status = 'paused';
    next.nextRunAt = null;
    await this.repo.cancelLaterPendingExecutions(
      tx,
      current.id,
      'cancelled: the schedule was paused',
    );
  }

  /** Another owner's schedule is a 404, exactly like one that does not exist. */
  private async findOrFail(
    principal: Principal,
    id: string,
  ): Promise<ScheduleRow> {
    const row = await this.repo.find(id);
    if (!row || !canSee(principal, row.owner))
      throw new NotFoundError('schedule', id);
    return row;
  }

  private async lockOrFail(
    tx: Queryable,
    principal: Principal,
    id: string,
  ): Promise<ScheduleRow> {
    const row = await this.repo.lock(tx, id);
    if (!row || !canSee(principal, row.owner))
      throw new NotFoundError('schedule', id);
    return row;
  }

  private async wakeIfDueSoon(
    tx: Queryable,
    row: ScheduleRow,
    reason: string,
  ): Promise<void> {
    if (
      row.next_run_at === null ||
      !this.isDueSoon({ status: row.status, nextRunAt: row.next_run_at })
    )
      return;
    await this.repo.notifyWakeup(tx, {
      scheduleId: row.id,
      reason,
      nextRunAt: row.next_run_at.toISOString(),
    });
  }
}
