import { FakeClock } from '@scheduleman/domain/testing';
import { Registry } from 'prom-client';
import type { ClaimsRepository } from '../claims/claims.repository';
import type { SchedulerConfig } from '../config/scheduler.config';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { HousekeepingService, PRUNE_BATCH_SIZE } from './housekeeping.service';
import type { ScheduleUpkeepRepository } from './schedule-upkeep.repository';

/** A repository whose prune answers the given batch sizes, then full batches forever. */
function housekeeping(batches: number[]) {
  const calls: number[] = [];
  const repository = {
    pruneExecutions(_now: Date, retentionMs: number, limit: number) {
      calls.push(retentionMs);
      expect(limit).toBe(PRUNE_BATCH_SIZE);
      return Promise.resolve(batches.shift() ?? PRUNE_BATCH_SIZE);
    },
  } as unknown as ClaimsRepository;
  const service = new HousekeepingService(
    { executionRetentionMs: 86_400_000 } as SchedulerConfig,
    repository,
    new FakeClock(new Date('2026-12-03T00:00:00Z')),
    new SchedulerMetrics(new Registry()),
    // Pruning never touches the schedule upkeep (pauses, buffered rows, health).
    {} as unknown as ScheduleUpkeepRepository,
  );
  return { service, calls };
}

describe('HousekeepingService.pruneExecutions', () => {
  it('deletes batch after batch until one comes back short', async () => {
    const { service, calls } = housekeeping([1_000, 1_000, 1_000, 1_000, 250]);
    expect(await service.pruneExecutions()).toBe(4_250);
    expect(calls).toEqual(Array(5).fill(86_400_000));
  });

  it('keeps going past 50 full batches: the bound is time, not a batch count', async () => {
    const { service, calls } = housekeeping([
      ...Array<number>(80).fill(1_000),
      0,
    ]);
    expect(await service.pruneExecutions()).toBe(80_000);
    expect(calls).toHaveLength(81);
  });

  it('stops once its time budget is spent, whatever is left', async () => {
    // A budget of 0 is spent by the first batch: exactly one statement runs.
    const { service, calls } = housekeeping([]);
    expect(await service.pruneExecutions(0)).toBe(PRUNE_BATCH_SIZE);
    expect(calls).toHaveLength(1);
  });
});
