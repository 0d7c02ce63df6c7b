import { Injectable, Logger } from '@nestjs/common';
import type { AuditEntry } from '@scheduleman/domain';
import { WriteCoalescer } from '@scheduleman/runtime';
import { OwnerQuotas } from './owner-quotas';
import type { ScheduleAnswerRow, ScheduleState } from './schedule-rows';
import { SchedulesRepository } from './schedules.repository';

/** The most creations one group statement writes. */
export const MAX_CREATION_GROUP = 100;

/** One POST /schedules ready to write: an owner's active schedule needing nothing else in its transaction. */
export interface Creation {
  id: string;
  /** The id of its `schedule.created` event when written in a group (time-ordered, as the batch's). */
  auditId: string;
  state: ScheduleState;
  audit: AuditEntry;
}

/**
 * Concurrent single creations written together (docs/performance.md "Single creation",
 * 3 December evening): the creations that arrive while a group is being written go in
 * the next one, a transaction of the batch endpoint's statements (the owners' totals
 * by OwnerQuotas.addBatch, then INSERT_SCHEDULES with one `schedule.created` event per
 * schedule, the same event as a lone creation's). A lone creation, or a group that
 * fails for any reason (an owner near a quota, a conflict, a lost connection), is
 * written one by one as before (OwnerQuotas.insert), so each creation gets exactly the
 * answer it would have got alone, and the quotas stay exact. Every answer waits for
 * the commit holding its row.
 */
@Injectable()
export class CoalescedCreations {
  private readonly logger = new Logger(CoalescedCreations.name);
  private readonly coalescer = new WriteCoalescer<Creation, ScheduleAnswerRow>(
    (creations) => this.writeGroup(creations),
    { maxGroup: MAX_CREATION_GROUP },
  );

  constructor(
    private readonly repo: SchedulesRepository,
    private readonly quotas: OwnerQuotas,
  ) {}

  /** The inserted row, or the error that creation alone gets (QuotaExceededError …). */
  insert(creation: Creation): Promise<ScheduleAnswerRow> {
    return this.coalescer.submit(creation);
  }

  private async writeGroup(
    creations: readonly Creation[],
  ): Promise<PromiseSettledResult<ScheduleAnswerRow>[]> {
    if (creations.length > 1) {
      try {
        const rows = await this.insertTogether(creations);
        return rows.map((value) => ({ status: 'fulfilled', value }));
      } catch (error) {
        // Rolled back, nothing written: each one alone decides its own answer.
        this.logger.debug({
          msg: 'creation group written one by one',
          count: creations.length,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return Promise.allSettled(
      creations.map(({ id, state, audit }) =>
        this.quotas.insert(id, state, audit),
      ),
    );
  }

  /** One transaction; the rows in the order of `creations`. */
  private insertTogether(
    creations: readonly Creation[],
  ): Promise<ScheduleAnswerRow[]> {
    return this.repo.transaction(async (tx) => {
      await this.quotas.addBatch(
        tx,
        creations.map(({ state }) => state),
      );
      const byId = new Map<string, ScheduleAnswerRow>();
      // INSERT_SCHEDULES takes one actor per statement; its details add each row's
      // schedule and trigger type, as a lone creation's event has them.
      for (const group of byActor(creations)) {
        const rows = await this.repo.insertMany(tx, group, {
          ...group[0].audit,
          details: {},
        });
        for (const row of rows) byId.set(row.id, row);
      }
      return creations.map(({ id }) => byId.get(id) as ScheduleAnswerRow);
    });
  }
}

/** Creations grouped by the key that made them (actor key and owner), in first-seen order. */
function byActor(creations: readonly Creation[]): Creation[][] {
  const groups = new Map<string, Creation[]>();
  for (const creation of creations) {
    const { actorKeyId, actorOwner } = creation.audit;
    const key = JSON.stringify([actorKeyId, actorOwner]);
    const group = groups.get(key);
    if (group) group.push(creation);
    else groups.set(key, [creation]);
  }
  return [...groups.values()];
}
