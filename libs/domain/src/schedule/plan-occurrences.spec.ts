import { FakeClock } from '../testing/fake-clock';
import {
  MAX_CATCH_UP_OCCURRENCES,
  MISFIRE_THRESHOLD_MS,
  type MisfirePolicy,
} from './misfire-policy';
import { MAX_PLANNED_OCCURRENCES, planOccurrences } from './plan-occurrences';
import type { ScheduleSpec } from './schedule-spec';

const LOOKAHEAD_MS = 1500;
const everySecond: ScheduleSpec = {
  type: 'cron',
  expression: '* * * * * *',
  timezone: 'UTC',
};
const everyMinute: ScheduleSpec = {
  type: 'cron',
  expression: '* * * * *',
  timezone: 'UTC',
};
const hourly: ScheduleSpec = {
  type: 'cron',
  expression: '0 * * * *',
  timezone: 'UTC',
};

function plan(
  spec: ScheduleSpec,
  nextRunAt: string,
  clock: FakeClock,
  misfirePolicy: MisfirePolicy = 'fire_once',
) {
  const now = clock.now();
  const result = planOccurrences({
    spec,
    nextRunAt: new Date(nextRunAt),
    now,
    horizon: new Date(now.getTime() + LOOKAHEAD_MS),
    misfirePolicy,
  });
  return {
    fire: result.fire.map((d) => d.toISOString()),
    skipped: result.skipped.map((d) => d.toISOString()),
    nextRunAt: result.nextRunAt?.toISOString() ?? null,
  };
}

describe('planOccurrences', () => {
  describe('without misfires', () => {
    it('plans every occurrence up to and including the horizon and points next_run_at past it', () => {
      const clock = new FakeClock('2030-01-01T00:00:00.000Z');
      expect(plan(everySecond, '2030-01-01T00:00:00.000Z', clock)).toEqual({
        fire: ['2030-01-01T00:00:00.000Z', '2030-01-01T00:00:01.000Z'],
        skipped: [],
        nextRunAt: '2030-01-01T00:00:02.000Z',
      });
    });

    it('includes an occurrence exactly at the horizon', () => {
      const clock = new FakeClock('2030-01-01T00:00:00.500Z');
      expect(plan(everySecond, '2030-01-01T00:00:01.000Z', clock).fire).toEqual(
        ['2030-01-01T00:00:01.000Z', '2030-01-01T00:00:02.000Z'],
      );
    });

    it('leaves a schedule alone when its next run is beyond the horizon', () => {
      const clock = new FakeClock('2030-01-01T00:00:00.000Z');
      expect(plan(hourly, '2030-01-01T01:00:00.000Z', clock)).toEqual({
        fire: [],
        skipped: [],
        nextRunAt: '2030-01-01T01:00:00.000Z',
      });
    });

    it.each<MisfirePolicy>(['fire_once', 'skip', 'fire_all'])(
      'fires occurrences late by less than the misfire threshold under %s',
      (policy) => {
        const clock = new FakeClock('2030-01-01T00:00:09.000Z');
        const result = plan(
          everySecond,
          '2030-01-01T00:00:00.000Z',
          clock,
          policy,
        );
        expect(result.fire[0]).toBe('2030-01-01T00:00:00.000Z');
        expect(result.fire).toHaveLength(11);
        expect(result.skipped).toEqual([]);
      },
    );

    it('treats an occurrence exactly at the threshold as on time', () => {
      const clock = new FakeClock(
        new Date(Date.parse('2030-01-01T01:00:00.000Z') + MISFIRE_THRESHOLD_MS),
      );
      expect(plan(hourly, '2030-01-01T01:00:00.000Z', clock, 'skip')).toEqual({
        fire: ['2030-01-01T01:00:00.000Z'],
        skipped: [],
        nextRunAt: '2030-01-01T02:00:00.000Z',
      });
    });

    it('corrects a stored next_run_at that is not an occurrence to the next one that is', () => {
      const clock = new FakeClock('2030-01-01T00:59:59.000Z');
      expect(plan(hourly, '2030-01-01T00:59:58.000Z', clock).fire).toEqual([
        '2030-01-01T01:00:00.000Z',
      ]);
    });
  });

  describe('after an hour-long outage of a per-minute cron', () => {
    const clock = new FakeClock('2030-01-01T01:00:30.000Z');

    it('fires only the most recent missed occurrence under fire_once, then continues', () => {
      const result = plan(
        everyMinute,
        '2030-01-01T00:00:00.000Z',
        clock,
        'fire_once',
      );
      expect(result.fire).toEqual(['2030-01-01T01:00:00.000Z']);
      expect(result.skipped).toHaveLength(60);
      expect(result.skipped[0]).toBe('2030-01-01T00:00:00.000Z');
      expect(result.skipped[59]).toBe('2030-01-01T00:59:00.000Z');
      expect(result.nextRunAt).toBe('2030-01-01T01:01:00.000Z');
    });

    it('fires none of the missed occurrences under skip', () => {
      const result = plan(
        everyMinute,
        '2030-01-01T00:00:00.000Z',
        clock,
        'skip',
      );
      expect(result.fire).toEqual([]);
      expect(result.skipped).toHaveLength(61);
      expect(result.nextRunAt).toBe('2030-01-01T01:01:00.000Z');
    });

    it('fires every missed occurrence oldest first under fire_all', () => {
      const result = plan(
        everyMinute,
        '2030-01-01T00:00:00.000Z',
        clock,
        'fire_all',
      );
      expect(result.fire).toHaveLength(61);
      expect(result.fire[0]).toBe('2030-01-01T00:00:00.000Z');
      expect(result.fire[60]).toBe('2030-01-01T01:00:00.000Z');
      expect(result.skipped).toEqual([]);
    });
  });

  describe('after a week-long outage of a per-second cron', () => {
    const clock = new FakeClock('2030-01-08T00:00:00.000Z');
    const down = '2030-01-01T00:00:00.000Z';
    const cutoff =
      Date.parse('2030-01-08T00:00:00.000Z') - MISFIRE_THRESHOLD_MS;

    it('fires the latest missed occurrence and the on-time ones under fire_once', () => {
      const result = plan(everySecond, down, clock, 'fire_once');
      expect(result.fire[0]).toBe(new Date(cutoff - 1000).toISOString());
      expect(result.fire[1]).toBe(new Date(cutoff).toISOString());
      expect(result.fire.at(-1)).toBe('2030-01-08T00:00:01.000Z');
      expect(result.skipped).toHaveLength(MAX_CATCH_UP_OCCURRENCES);
      expect(result.nextRunAt).toBe('2030-01-08T00:00:02.000Z');
    });

    it('fires at most MAX_CATCH_UP_OCCURRENCES missed occurrences, the most recent ones, under fire_all', () => {
      const result = plan(everySecond, down, clock, 'fire_all');
      const missed = result.fire.filter((iso) => Date.parse(iso) < cutoff);
      expect(missed).toHaveLength(MAX_CATCH_UP_OCCURRENCES);
      expect(missed[0]).toBe(
        new Date(cutoff - MAX_CATCH_UP_OCCURRENCES * 1000).toISOString(),
      );
      expect(missed.at(-1)).toBe(new Date(cutoff - 1000).toISOString());
      expect([...result.fire].sort()).toEqual(result.fire);
      expect(result.skipped[0]).toBe(down);
      expect(result.skipped).toHaveLength(MAX_CATCH_UP_OCCURRENCES);
      expect(result.nextRunAt).toBe('2030-01-08T00:00:02.000Z');
    });

    it('fires only on-time occurrences under skip', () => {
      const result = plan(everySecond, down, clock, 'skip');
      expect(result.fire[0]).toBe(new Date(cutoff).toISOString());
      expect(result.fire).toHaveLength(12);
      expect(result.skipped).toHaveLength(MAX_CATCH_UP_OCCURRENCES);
    });
  });

  describe('one-shots', () => {
    const at: ScheduleSpec = { type: 'at', at: '2030-01-01T00:00:00.000Z' };

    it('fires the one-shot and completes it', () => {
      const clock = new FakeClock('2029-12-31T23:59:59.000Z');
      expect(plan(at, '2030-01-01T00:00:00.000Z', clock)).toEqual({
        fire: ['2030-01-01T00:00:00.000Z'],
        skipped: [],
        nextRunAt: null,
      });
    });

    it.each<MisfirePolicy>(['fire_once', 'fire_all'])(
      'fires a one-shot missed by an hour under %s',
      (policy) => {
        const clock = new FakeClock('2030-01-01T01:00:00.000Z');
        expect(plan(at, '2030-01-01T00:00:00.000Z', clock, policy)).toEqual({
          fire: ['2030-01-01T00:00:00.000Z'],
          skipped: [],
          nextRunAt: null,
        });
      },
    );

    it('reports a one-shot missed by an hour as skipped under skip and completes it', () => {
      const clock = new FakeClock('2030-01-01T01:00:00.000Z');
      expect(plan(at, '2030-01-01T00:00:00.000Z', clock, 'skip')).toEqual({
        fire: [],
        skipped: ['2030-01-01T00:00:00.000Z'],
        nextRunAt: null,
      });
    });

    it('does not plan a one-shot before it is within the horizon', () => {
      const clock = new FakeClock('2029-12-31T23:00:00.000Z');
      expect(plan(at, '2030-01-01T00:00:00.000Z', clock)).toEqual({
        fire: [],
        skipped: [],
        nextRunAt: '2030-01-01T00:00:00.000Z',
      });
    });
  });

  it('caps the occurrences planned at once and continues from the first one left over', () => {
    const now = new Date('2030-01-01T00:00:00.000Z');
    const result = planOccurrences({
      spec: everySecond,
      nextRunAt: now,
      now,
      horizon: new Date(now.getTime() + 3_600_000),
      misfirePolicy: 'fire_once',
    });
    expect(result.fire).toHaveLength(MAX_PLANNED_OCCURRENCES);
    expect(result.nextRunAt?.toISOString()).toBe(
      new Date(now.getTime() + MAX_PLANNED_OCCURRENCES * 1000).toISOString(),
    );
  });

  it('moves next_run_at of a yearly cron a year ahead after planning this year', () => {
    const spec: ScheduleSpec = {
      type: 'cron',
      expression: '0 0 1 1 *',
      timezone: 'UTC',
    };
    const now = new Date('2030-01-01T00:00:00.000Z');
    const result = planOccurrences({
      spec,
      nextRunAt: now,
      now,
      horizon: new Date(now.getTime() + LOOKAHEAD_MS),
      misfirePolicy: 'fire_once',
    });
    expect(result.fire.map((d) => d.toISOString())).toEqual([
      '2030-01-01T00:00:00.000Z',
    ]);
    expect(result.nextRunAt?.toISOString()).toBe('2031-01-01T00:00:00.000Z');
  });
});
