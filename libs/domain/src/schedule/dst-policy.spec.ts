import { ValidationError } from '../errors';
import {
  DST_GAP_POLICIES,
  DST_OVERLAP_POLICIES,
  parseDstGapPolicy,
  parseDstOverlapPolicy,
  resolveDstPolicies,
} from './dst-policy';
import {
  iterateOccurrences,
  nextOccurrence,
  previousOccurrence,
  upcomingOccurrences,
} from './next-occurrence';

const berlin = (expression: string) =>
  ({ type: 'cron', expression, timezone: 'Europe/Berlin' }) as const;

function isoList(dates: Date[]): string[] {
  return dates.map((d) => d.toISOString());
}

describe('DST policy values', () => {
  it('lists the policies and defaults to today’s behaviour', () => {
    expect(DST_GAP_POLICIES).toEqual(['shift', 'skip']);
    expect(DST_OVERLAP_POLICIES).toEqual(['first', 'second', 'twice']);
    expect(resolveDstPolicies(undefined)).toEqual({
      dstGapPolicy: 'shift',
      dstOverlapPolicy: 'first',
    });
    expect(parseDstGapPolicy(undefined, 'dstGapPolicy')).toBe('shift');
    expect(parseDstOverlapPolicy(undefined, 'dstOverlapPolicy')).toBe('first');
  });

  it('accepts each policy and refuses anything else, naming the field', () => {
    expect(parseDstGapPolicy('skip', 'dstGapPolicy')).toBe('skip');
    expect(parseDstOverlapPolicy('twice', 'dstOverlapPolicy')).toBe('twice');
    expect(() => parseDstGapPolicy('later', 'dstGapPolicy')).toThrow(
      new ValidationError('dstGapPolicy', 'must be one of "shift", "skip"'),
    );
    expect(() => parseDstOverlapPolicy(2, 'dstOverlapPolicy')).toThrow(
      new ValidationError(
        'dstOverlapPolicy',
        'must be one of "first", "second", "twice"',
      ),
    );
  });
});

describe('the gap policy (Berlin, 2027-03-28: 02:00 CET → 03:00 CEST at 01:00Z)', () => {
  const after = new Date('2027-03-27T12:00:00Z');

  it('shift (default) fires a 02:30 that does not exist at 03:00 CEST', () => {
    expect(
      isoList(upcomingOccurrences(berlin('30 2 * * *'), after, 2)),
    ).toEqual(['2027-03-28T01:00:00.000Z', '2027-03-29T00:30:00.000Z']);
    expect(
      isoList(
        upcomingOccurrences(berlin('30 2 * * *'), after, 2, {
          dstGapPolicy: 'shift',
        }),
      ),
    ).toEqual(['2027-03-28T01:00:00.000Z', '2027-03-29T00:30:00.000Z']);
  });

  it('skip fires nothing for it, and the iterator reports it as skipped by the DST policy', () => {
    const policies = { dstGapPolicy: 'skip' } as const;
    expect(
      isoList(upcomingOccurrences(berlin('30 2 * * *'), after, 2, policies)),
    ).toEqual(['2027-03-29T00:30:00.000Z', '2027-03-30T00:30:00.000Z']);
    const events = [];
    for (const event of iterateOccurrences(
      berlin('30 2 * * *'),
      after,
      policies,
    )) {
      events.push({ at: event.at.toISOString(), skipped: event.skipped });
      if (events.length === 2) break;
    }
    expect(events).toEqual([
      { at: '2027-03-28T01:00:00.000Z', skipped: 'dst_policy' },
      { at: '2027-03-29T00:30:00.000Z', skipped: undefined },
    ]);
    expect(
      previousOccurrence(
        berlin('30 2 * * *'),
        new Date('2027-03-29T00:30:00Z'),
        policies,
      )?.toISOString(),
    ).toBe('2027-03-27T01:30:00.000Z');
  });

  it('skip still fires a wall time at the end of the gap that the expression names itself', () => {
    const events = [];
    for (const event of iterateOccurrences(
      berlin('0,30 2,3 * * *'),
      new Date('2027-03-28T00:45:00Z'),
      { dstGapPolicy: 'skip' },
    )) {
      events.push({ at: event.at.toISOString(), skipped: event.skipped });
      if (events.length === 2) break;
    }
    expect(events).toEqual([
      { at: '2027-03-28T01:00:00.000Z', skipped: undefined },
      { at: '2027-03-28T01:30:00.000Z', skipped: undefined },
    ]);
  });

  it('does not apply to interval expressions, which follow real time', () => {
    const spec = berlin('*/30 * * * *');
    const start = new Date('2027-03-28T00:15:00Z');
    expect(isoList(upcomingOccurrences(spec, start, 3))).toEqual(
      isoList(upcomingOccurrences(spec, start, 3, { dstGapPolicy: 'skip' })),
    );
  });
});

describe('the overlap policy (Berlin, 2027-10-31: 02:00-03:00 happens twice)', () => {
  const after = new Date('2027-10-30T12:00:00Z');
  const spec = berlin('30 2 * * *');

  it('first (default) fires 02:30 once, in summer time', () => {
    expect(isoList(upcomingOccurrences(spec, after, 2))).toEqual([
      '2027-10-31T00:30:00.000Z',
      '2027-11-01T01:30:00.000Z',
    ]);
  });

  it('second fires 02:30 once, in winter time', () => {
    const policies = { dstOverlapPolicy: 'second' } as const;
    expect(isoList(upcomingOccurrences(spec, after, 2, policies))).toEqual([
      '2027-10-31T01:30:00.000Z',
      '2027-11-01T01:30:00.000Z',
    ]);
    expect(
      nextOccurrence(
        spec,
        new Date('2027-10-31T00:45:00Z'),
        policies,
      )?.toISOString(),
    ).toBe('2027-10-31T01:30:00.000Z');
  });

  it('twice fires 02:30 in both passes, and previousOccurrence walks back through both', () => {
    const policies = { dstOverlapPolicy: 'twice' } as const;
    expect(isoList(upcomingOccurrences(spec, after, 3, policies))).toEqual([
      '2027-10-31T00:30:00.000Z',
      '2027-10-31T01:30:00.000Z',
      '2027-11-01T01:30:00.000Z',
    ]);
    expect(
      previousOccurrence(
        spec,
        new Date('2027-11-01T01:30:00Z'),
        policies,
      )?.toISOString(),
    ).toBe('2027-10-31T01:30:00.000Z');
    expect(
      previousOccurrence(
        spec,
        new Date('2027-10-31T01:30:00Z'),
        policies,
      )?.toISOString(),
    ).toBe('2027-10-31T00:30:00.000Z');
  });

  it('keeps the order of the wall times in each pass with several per hour', () => {
    expect(
      isoList(
        upcomingOccurrences(
          berlin('0,30 2 * * *'),
          new Date('2027-10-31T00:00:00Z'),
          4,
          { dstOverlapPolicy: 'twice' },
        ),
      ),
    ).toEqual([
      '2027-10-31T00:30:00.000Z',
      '2027-10-31T01:00:00.000Z',
      '2027-10-31T01:30:00.000Z',
      '2027-11-01T01:00:00.000Z',
    ]);
  });
});
