import { FakeClock } from '../testing/fake-clock';
import {
  MAX_CATCH_UP_OCCURRENCES,
  MISFIRE_THRESHOLD_MS,
  type MisfirePolicy,
} from './misfire-policy';
import {
  MAX_PLANNED_OCCURRENCES,
  MAX_SKIPPED_ROWS,
  MAX_SKIPPED_WALK,
  type OccurrencePlan,
  planOccurrences,
} from './plan-occurrences';
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
    // A single skipped occurrence as its instant, a range as "first/last (count)".
    skipped: result.skipped.map((s) =>
      s.count === 1
        ? s.at.toISOString()
        : `${s.at.toISOString()}/${s.lastAt.toISOString()} (${s.count})`,
    ),
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
    const downMs = Date.parse(down);
    const iso = (ms: number) => new Date(ms).toISOString();

    it.each<MisfirePolicy>(['fire_once', 'skip', 'fire_all'])(
      'under %s, records the oldest MAX_SKIPPED_WALK as one range row and fires nothing yet',
      (policy) => {
        const result = plan(everySecond, down, clock, policy);
        expect(result).toEqual({
          fire: [],
          skipped: [
            `${down}/${iso(downMs + (MAX_SKIPPED_WALK - 1) * 1000)} (${MAX_SKIPPED_WALK})`,
          ],
          nextRunAt: iso(downMs + MAX_SKIPPED_WALK * 1000),
        });
      },
    );
  });

  describe('a long outage planned to the end, plan after plan', () => {
    // A per-second cron down for a day: 86 390 missed occurrences, 18 plans.
    const now = new Date('2030-01-02T00:00:00.000Z');
    const cutoffMs = now.getTime() - MISFIRE_THRESHOLD_MS;
    const downMs = Date.parse('2030-01-01T00:00:00.000Z');
    const missed = (cutoffMs - downMs) / 1000;

    function planToTheEnd(policy: MisfirePolicy): OccurrencePlan[] {
      const plans: OccurrencePlan[] = [];
      let nextRunAt = new Date(downMs);
      for (;;) {
        const result = planOccurrences({
          spec: everySecond,
          nextRunAt,
          now,
          horizon: new Date(now.getTime() + LOOKAHEAD_MS),
          misfirePolicy: policy,
        });
        plans.push(result);
        if (result.complete || result.nextRunAt === null) return plans;
        nextRunAt = result.nextRunAt;
      }
    }

    it.each<[MisfirePolicy, number]>([
      ['skip', 0],
      ['fire_once', 1],
      ['fire_all', MAX_CATCH_UP_OCCURRENCES],
    ])(
      'under %s accounts for every missed occurrence exactly once: %i fired, the rest skipped',
      (policy, refired) => {
        const plans = planToTheEnd(policy);
        expect(plans).toHaveLength(
          Math.ceil((missed - refired - MAX_SKIPPED_ROWS) / MAX_SKIPPED_WALK),
        );
        // Every occurrence from the outage to the cut-off, in order, once: either fired
        // or inside exactly one skipped entry.
        const covered: number[] = [];
        for (const p of plans) {
          for (const s of p.skipped) {
            expect(s.reason).toBe('misfire_policy');
            expect(s.count).toBe(
              (s.lastAt.getTime() - s.at.getTime()) / 1000 + 1,
            );
            covered.push(s.at.getTime(), s.lastAt.getTime());
          }
        }
        const fired = plans.flatMap((p) => p.fire).map((d) => d.getTime());
        const firedMissed = fired.filter((t) => t < cutoffMs);
        expect(firedMissed).toHaveLength(refired);
        const skippedTotal = plans
          .flatMap((p) => p.skipped)
          .reduce((sum, s) => sum + s.count, 0);
        expect(skippedTotal + refired).toBe(missed);
        // Ranges are contiguous: each starts one second after the previous one ended.
        const bounds = plans.flatMap((p) => p.skipped);
        expect(bounds[0].at.getTime()).toBe(downMs);
        for (let i = 1; i < bounds.length; i++)
          expect(bounds[i].at.getTime()).toBe(
            bounds[i - 1].lastAt.getTime() + 1000,
          );
        const lastSkipped = bounds.at(-1)?.lastAt.getTime() ?? 0;
        expect(firedMissed[0] ?? cutoffMs).toBe(lastSkipped + 1000);
        // The most recent MAX_SKIPPED_ROWS skipped occurrences have a row each.
        expect(
          bounds.slice(-MAX_SKIPPED_ROWS).every((s) => s.count === 1),
        ).toBe(true);
        expect(bounds.at(-MAX_SKIPPED_ROWS - 1)?.count).toBeGreaterThan(1);
        // Only the last plan fires, and then on time again.
        expect(plans.slice(0, -1).every((p) => p.fire.length === 0)).toBe(true);
        expect(fired.filter((t) => t >= cutoffMs)[0]).toBe(cutoffMs);
      },
    );

    it('walks no more than maxSkippedWalk older occurrences in one plan', () => {
      const result = planOccurrences({
        spec: everySecond,
        nextRunAt: new Date(downMs),
        now,
        horizon: new Date(now.getTime() + LOOKAHEAD_MS),
        misfirePolicy: 'skip',
        maxSkippedWalk: 7,
      });
      expect(result.complete).toBe(false);
      expect(result.skipped.map((s) => s.count)).toEqual([7]);
      expect(result.nextRunAt?.getTime()).toBe(downMs + 7000);
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

describe('planOccurrences with DST policies', () => {
  // Europe/Berlin: 2026-03-29 02:00 → 03:00 (02:30 does not exist), 2026-10-25 03:00 →
  // 02:00 (02:30 happens twice, at 00:30Z and 01:30Z).
  const daily: ScheduleSpec = {
    type: 'cron',
    expression: '30 2 * * *',
    timezone: 'Europe/Berlin',
  };

  function planDst(
    nextRunAt: string,
    now: string,
    horizon: string,
    dstPolicies: Parameters<typeof planOccurrences>[0]['dstPolicies'],
    misfirePolicy: MisfirePolicy = 'fire_once',
  ) {
    const result = planOccurrences({
      spec: daily,
      nextRunAt: new Date(nextRunAt),
      now: new Date(now),
      horizon: new Date(horizon),
      misfirePolicy,
      dstPolicies,
    });
    return {
      fire: result.fire.map((d) => d.toISOString()),
      skipped: result.skipped.map(
        (s) => `${s.at.toISOString()} ${s.reason} ${s.count}`,
      ),
      nextRunAt: result.nextRunAt?.toISOString() ?? null,
    };
  }

  it('fires a gap wall time at the end of the gap under shift (the default)', () => {
    expect(
      planDst(
        '2026-03-29T01:00:00Z',
        '2026-03-29T00:59:59Z',
        '2026-03-29T01:00:01Z',
        undefined,
      ),
    ).toEqual({
      fire: ['2026-03-29T01:00:00.000Z'],
      skipped: [],
      nextRunAt: '2026-03-30T00:30:00.000Z',
    });
  });

  it('records a gap wall time skipped (dst_policy) under skip, at the instant shift fires', () => {
    expect(
      planDst(
        '2026-03-29T01:00:00Z',
        '2026-03-29T00:59:59Z',
        '2026-03-29T01:00:01Z',
        { dstGapPolicy: 'skip' },
      ),
    ).toEqual({
      fire: [],
      skipped: ['2026-03-29T01:00:00.000Z dst_policy 1'],
      nextRunAt: '2026-03-30T00:30:00.000Z',
    });
  });

  it.each([
    ['first', ['2026-10-25T00:30:00.000Z']],
    ['second', ['2026-10-25T01:30:00.000Z']],
    ['twice', ['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']],
  ] as const)(
    'fires a repeated wall time under %s',
    (dstOverlapPolicy, fire) => {
      // next_run_at as the API stores it (the first instant); the plan applies the policy.
      expect(
        planDst(
          '2026-10-25T00:30:00Z',
          '2026-10-25T00:29:59Z',
          '2026-10-25T02:00:00Z',
          { dstOverlapPolicy },
        ),
      ).toEqual({
        fire,
        skipped: [],
        nextRunAt: '2026-10-26T01:30:00.000Z',
      });
    },
  );

  it('records a DST-skipped occurrence in a missed stretch as dst_policy, the others as misfires', () => {
    expect(
      planDst(
        '2026-03-28T01:30:00Z',
        '2026-03-31T00:00:00Z',
        '2026-03-31T00:00:01.500Z',
        { dstGapPolicy: 'skip' },
        'skip',
      ),
    ).toEqual({
      fire: [],
      skipped: [
        '2026-03-28T01:30:00.000Z misfire_policy 1',
        '2026-03-29T01:00:00.000Z dst_policy 1',
        '2026-03-30T00:30:00.000Z misfire_policy 1',
      ],
      nextRunAt: '2026-03-31T00:30:00.000Z',
    });
  });

  it('fires nothing under fire_once when the only missed occurrence was DST-skipped', () => {
    expect(
      planDst(
        '2026-03-29T01:00:00Z',
        '2026-03-29T12:00:00Z',
        '2026-03-29T12:00:01.500Z',
        { dstGapPolicy: 'skip' },
      ),
    ).toEqual({
      fire: [],
      skipped: ['2026-03-29T01:00:00.000Z dst_policy 1'],
      nextRunAt: '2026-03-30T00:30:00.000Z',
    });
  });
});
