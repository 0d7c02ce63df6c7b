import { flexibleFireAt } from './flexible-window';
import {
  decideOccurrences,
  hasNoPlanPolicy,
  type PlanPolicyContext,
  passedSkipNext,
} from './plan-policies';

const SCHEDULE = '3f1c8a52-8d1e-4d57-9a0e-0c4a3bdb8a11';
const NOW = new Date('2030-12-24T10:00:00Z');

function context(
  overrides: Partial<PlanPolicyContext> = {},
): PlanPolicyContext {
  return {
    scheduleId: SCHEDULE,
    zone: 'UTC',
    now: NOW,
    horizon: new Date(NOW.getTime() + 1500),
    catchUpWindow: null,
    flexibleWindow: null,
    exclusions: [],
    calendars: [],
    overlapPolicy: 'allow',
    overlap: 'finished',
    skipNextAt: null,
    ...overrides,
  };
}

const at = (iso: string) => new Date(iso);
const kinds = (fire: Date[], ctx: PlanPolicyContext) =>
  decideOccurrences(fire, ctx).map((d) =>
    d.kind === 'skip' ? `skip:${d.reason}` : d.kind,
  );

describe('decideOccurrences', () => {
  it('fires everything at its time without a policy, leased within the horizon', () => {
    const t = at('2030-12-24T10:00:01Z');
    expect(decideOccurrences([t], context())).toEqual([
      { kind: 'fire', at: t, dueAt: t, leased: true },
    ]);
    expect(hasNoPlanPolicy(context())).toBe(true);
  });

  it('skips the occurrence skip-next marked, and only that one', () => {
    const ctx = context({ skipNextAt: at('2030-12-24T10:00:00Z') });
    expect(
      kinds([at('2030-12-24T10:00:00Z'), at('2030-12-24T10:00:01Z')], ctx),
    ).toEqual(['skip:skip_next', 'fire']);
  });

  it('skips occurrences in an own exclusion or a calendar’s, on the zone’s wall clock', () => {
    // 23:30 UTC on the 24th is the 25th in Berlin.
    const ctx = context({
      zone: 'Europe/Berlin',
      calendars: [
        { id: 'c', name: 'xmas', exclusions: [{ date: '2030-12-25' }] },
      ],
      exclusions: [{ daysOfWeek: [2], between: ['09:00', '12:00'] }],
    });
    expect(
      kinds(
        [
          at('2030-12-24T08:30:00Z'), // Tuesday 09:30 Berlin: own exclusion
          at('2030-12-24T12:00:00Z'), // Tuesday 13:00 Berlin
          at('2030-12-24T23:30:00Z'), // Wednesday 00:30 Berlin: calendar
        ],
        ctx,
      ),
    ).toEqual(['skip:exclusion', 'fire', 'skip:exclusion']);
  });

  it('skips an occurrence later than the catch-up window, measured from its promised instant', () => {
    const ctx = context({ catchUpWindow: 'PT10M' });
    expect(
      kinds([at('2030-12-24T09:49:59Z'), at('2030-12-24T09:50:00Z')], ctx),
    ).toEqual(['skip:catch_up_window', 'fire']);
  });

  it('moves due_at into the flexible window, keeps the occurrence, and leaves it unleased past the horizon', () => {
    const t = at('2030-12-24T10:00:00Z');
    const [decision] = decideOccurrences(
      [t],
      context({ flexibleWindow: 'PT1H' }),
    );
    const dueAt = flexibleFireAt(SCHEDULE, t, 'PT1H');
    expect(decision).toEqual({
      kind: 'fire',
      at: t,
      dueAt,
      leased: dueAt.getTime() <= NOW.getTime() + 1500,
    });
    expect(dueAt.getTime()).toBeGreaterThan(NOW.getTime() + 1500);
  });

  it.each([
    ['allow', 'running', ['fire', 'fire']],
    ['skip', 'finished', ['fire', 'skip:overlap_policy']],
    ['skip', 'running', ['skip:overlap_policy', 'skip:overlap_policy']],
    ['buffer_one', 'finished', ['fire', 'buffer']],
    ['buffer_one', 'running', ['buffer', 'skip:overlap_policy']],
    ['buffer_one', 'buffered', ['skip:overlap_policy', 'skip:overlap_policy']],
    ['skip', 'buffered', ['skip:overlap_policy', 'skip:overlap_policy']],
  ] as const)(
    'overlap %s with the previous %s: %j',
    (overlapPolicy, overlap, expected) => {
      expect(
        kinds(
          [at('2030-12-24T10:00:00Z'), at('2030-12-24T10:00:01Z')],
          context({ overlapPolicy, overlap }),
        ),
      ).toEqual(expected);
    },
  );

  it('lets skip-next win over an exclusion, and an exclusion over the catch-up window', () => {
    const t = at('2030-12-24T09:00:00Z');
    const base = {
      catchUpWindow: 'PT10M',
      exclusions: [{ date: '2030-12-24' }],
    };
    expect(kinds([t], context({ ...base, skipNextAt: t }))).toEqual([
      'skip:skip_next',
    ]);
    expect(kinds([t], context(base))).toEqual(['skip:exclusion']);
  });
});

describe('passedSkipNext', () => {
  it('clears the mark once next_run_at moved past it or the schedule ended', () => {
    const mark = at('2030-12-24T10:00:00Z');
    expect(passedSkipNext(mark, at('2030-12-24T10:00:01Z'))).toBe(true);
    expect(passedSkipNext(mark, null)).toBe(true);
    expect(passedSkipNext(mark, mark)).toBe(false);
    expect(passedSkipNext(null, null)).toBe(false);
  });
});
