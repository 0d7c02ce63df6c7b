import { CronExpressionParser } from 'cron-parser';
import {
  instantsOfWall,
  isIntervalExpression,
  nextCronOccurrence,
  previousCronOccurrence,
} from './cron-occurrences';
import { zoneOffsetMs } from './time-zone';

const MINUTE = 60_000;

function iso(ms: number | Date | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function take(
  expression: string,
  zone: string,
  after: string,
  count: number,
): string[] {
  const out: string[] = [];
  let cursor: Date | null = new Date(after);
  while (out.length < count) {
    cursor = nextCronOccurrence(expression, zone, cursor);
    if (cursor === null) break;
    out.push(cursor.toISOString());
  }
  return out;
}

/**
 * The definition of occurrences, computed the slow way minute by minute: interval
 * expressions fire at every instant whose wall time matches; fixed ones fire each
 * matching wall time once, at its first instant or at the end of the gap it falls in.
 */
function oracle(
  expression: string,
  zone: string,
  fromMs: number,
  toMs: number,
): string[] {
  const cron = CronExpressionParser.parse(expression, { tz: 'UTC' });
  const matches = (wallMs: number) => cron.includesDate(new Date(wallMs));
  const result = new Set<number>();
  if (isIntervalExpression(expression)) {
    for (let t = fromMs; t <= toMs; t += MINUTE)
      if (matches(t + zoneOffsetMs(zone, t))) result.add(t);
  } else {
    const fromWall = fromMs + zoneOffsetMs(zone, fromMs) - 3 * 3_600_000;
    const toWall = toMs + zoneOffsetMs(zone, toMs) + 3 * 3_600_000;
    for (let wall = fromWall; wall <= toWall; wall += MINUTE) {
      if (!matches(wall)) continue;
      const first = instantsOfWall(zone, wall).at(0);
      let instant = first;
      if (instant === undefined) {
        // In a gap: the first instant whose wall time is past this one.
        instant = wall - zoneOffsetMs(zone, wall - 15 * 3_600_000);
        while (instant - MINUTE + zoneOffsetMs(zone, instant - MINUTE) > wall)
          instant -= MINUTE;
      }
      if (instant > fromMs && instant <= toMs) result.add(instant);
    }
  }
  return [...result]
    .filter((t) => t > fromMs && t <= toMs)
    .sort((a, b) => a - b)
    .map((t) => new Date(t).toISOString());
}

describe('cron occurrences', () => {
  describe('in UTC', () => {
    it('fires a 6-field expression on the seconds it names', () => {
      expect(
        take('*/15 * * * * *', 'UTC', '2030-01-01T00:00:00.000Z', 4),
      ).toEqual([
        '2030-01-01T00:00:15.000Z',
        '2030-01-01T00:00:30.000Z',
        '2030-01-01T00:00:45.000Z',
        '2030-01-01T00:01:00.000Z',
      ]);
    });

    it('reads a 5-field expression as firing at second 0', () => {
      expect(take('*/5 * * * *', 'UTC', '2030-01-01T00:00:00.000Z', 2)).toEqual(
        ['2030-01-01T00:05:00.000Z', '2030-01-01T00:10:00.000Z'],
      );
    });

    it('returns occurrences strictly after the given instant, to the millisecond', () => {
      expect(
        iso(
          nextCronOccurrence(
            '* * * * * *',
            'UTC',
            new Date('2030-01-01T00:00:05.000Z'),
          ),
        ),
      ).toBe('2030-01-01T00:00:06.000Z');
      expect(
        iso(
          nextCronOccurrence(
            '* * * * * *',
            'UTC',
            new Date('2030-01-01T00:00:04.999Z'),
          ),
        ),
      ).toBe('2030-01-01T00:00:05.000Z');
      expect(
        iso(
          previousCronOccurrence(
            '* * * * * *',
            'UTC',
            new Date('2030-01-01T00:00:05.000Z'),
          ),
        ),
      ).toBe('2030-01-01T00:00:04.000Z');
      expect(
        iso(
          previousCronOccurrence(
            '* * * * * *',
            'UTC',
            new Date('2030-01-01T00:00:05.001Z'),
          ),
        ),
      ).toBe('2030-01-01T00:00:05.000Z');
    });

    it('skips months without a 31st for day 31', () => {
      expect(take('0 0 31 * *', 'UTC', '2030-01-01T00:00:00.000Z', 4)).toEqual([
        '2030-01-31T00:00:00.000Z',
        '2030-03-31T00:00:00.000Z',
        '2030-05-31T00:00:00.000Z',
        '2030-07-31T00:00:00.000Z',
      ]);
    });

    it('fires on the last day of every month for L', () => {
      expect(take('0 0 L * *', 'UTC', '2032-01-15T00:00:00.000Z', 3)).toEqual([
        '2032-01-31T00:00:00.000Z',
        '2032-02-29T00:00:00.000Z',
        '2032-03-31T00:00:00.000Z',
      ]);
    });

    it('fires Feb 29 only in leap years, skipping 2100', () => {
      expect(take('0 0 29 2 *', 'UTC', '2030-01-01T00:00:00.000Z', 2)).toEqual([
        '2032-02-29T00:00:00.000Z',
        '2036-02-29T00:00:00.000Z',
      ]);
      expect(take('0 0 29 2 *', 'UTC', '2096-03-01T00:00:00.000Z', 1)).toEqual([
        '2104-02-29T00:00:00.000Z',
      ]);
    });

    it('fires when either the day of month or the day of week matches, as in Vixie cron', () => {
      // 2030-01-13 is a Sunday; Fridays are the 4th and 11th.
      expect(take('0 0 13 * 5', 'UTC', '2030-01-01T00:00:00.000Z', 3)).toEqual([
        '2030-01-04T00:00:00.000Z',
        '2030-01-11T00:00:00.000Z',
        '2030-01-13T00:00:00.000Z',
      ]);
    });
  });

  describe('in zones with fractional offsets', () => {
    it('fires at local midnight in Asia/Kathmandu (+05:45)', () => {
      expect(
        take('0 0 * * *', 'Asia/Kathmandu', '2030-01-01T00:00:00.000Z', 2),
      ).toEqual(['2030-01-01T18:15:00.000Z', '2030-01-02T18:15:00.000Z']);
    });

    it('fires at local 09:00 in Pacific/Chatham in both its +13:45 summer and +12:45 winter', () => {
      expect(
        take('0 9 * * *', 'Pacific/Chatham', '2030-01-10T00:00:00.000Z', 1),
      ).toEqual(['2030-01-10T19:15:00.000Z']);
      expect(
        take('0 9 * * *', 'Pacific/Chatham', '2030-07-10T00:00:00.000Z', 1),
      ).toEqual(['2030-07-10T20:15:00.000Z']);
    });
  });

  describe('across daylight saving time in Europe/Berlin', () => {
    // 2030-03-31: 02:00 CET jumps to 03:00 CEST (01:00Z). 2030-10-27: 03:00 CEST falls back to 02:00 CET (01:00Z).
    it('fires a wall time in the spring-forward gap once, at the first instant after the gap', () => {
      expect(
        take('30 2 * * *', 'Europe/Berlin', '2030-03-30T12:00:00.000Z', 3),
      ).toEqual([
        '2030-03-31T01:00:00.000Z', // 03:00 CEST
        '2030-04-01T00:30:00.000Z',
        '2030-04-02T00:30:00.000Z',
      ]);
    });

    it('collapses every gap wall time of a fixed-hour expression into one firing', () => {
      expect(
        take('*/15 2 * * *', 'Europe/Berlin', '2030-03-30T12:00:00.000Z', 2),
      ).toEqual(['2030-03-31T01:00:00.000Z', '2030-04-01T00:00:00.000Z']);
    });

    it('fires an ambiguous wall time once, at its first (summer-time) instant', () => {
      expect(
        take('30 2 * * *', 'Europe/Berlin', '2030-10-26T12:00:00.000Z', 2),
      ).toEqual([
        '2030-10-27T00:30:00.000Z', // 02:30 CEST, not again at 02:30 CET (01:30Z)
        '2030-10-28T01:30:00.000Z',
      ]);
    });

    it('does not fire the repeated hour again when asked from inside its second pass', () => {
      expect(
        iso(
          nextCronOccurrence(
            '30 2 * * *',
            'Europe/Berlin',
            new Date('2030-10-27T01:10:00.000Z'),
          ),
        ),
      ).toBe('2030-10-28T01:30:00.000Z');
      expect(
        iso(
          previousCronOccurrence(
            '30 2 * * *',
            'Europe/Berlin',
            new Date('2030-10-27T01:40:00.000Z'),
          ),
        ),
      ).toBe('2030-10-27T00:30:00.000Z');
    });

    it('keeps real-time intervals for an expression whose hour field is a wildcard', () => {
      expect(
        take('*/30 * * * *', 'Europe/Berlin', '2030-10-26T23:10:00.000Z', 6),
      ).toEqual([
        '2030-10-26T23:30:00.000Z', // 01:30 CEST
        '2030-10-27T00:00:00.000Z', // 02:00 CEST
        '2030-10-27T00:30:00.000Z', // 02:30 CEST
        '2030-10-27T01:00:00.000Z', // 02:00 CET
        '2030-10-27T01:30:00.000Z', // 02:30 CET
        '2030-10-27T02:00:00.000Z', // 03:00 CET
      ]);
      expect(
        take('*/30 * * * *', 'Europe/Berlin', '2030-03-31T00:10:00.000Z', 3),
      ).toEqual([
        '2030-03-31T00:30:00.000Z', // 01:30 CET
        '2030-03-31T01:00:00.000Z', // 03:00 CEST
        '2030-03-31T01:30:00.000Z', // 03:30 CEST
      ]);
    });
  });

  describe('across daylight saving time in America/New_York', () => {
    // 2030-03-10: 02:00 EST jumps to 03:00 EDT (07:00Z). 2030-11-03: 02:00 EDT falls back to 01:00 EST (06:00Z).
    it('fires 02:30 on the spring-forward day at 03:00 EDT', () => {
      expect(
        take('30 2 * * *', 'America/New_York', '2030-03-09T12:00:00.000Z', 2),
      ).toEqual(['2030-03-10T07:00:00.000Z', '2030-03-11T06:30:00.000Z']);
    });

    it('fires 01:30 on the fall-back day once, at 01:30 EDT', () => {
      expect(
        take('30 1 * * *', 'America/New_York', '2030-11-02T12:00:00.000Z', 2),
      ).toEqual(['2030-11-03T05:30:00.000Z', '2030-11-04T06:30:00.000Z']);
    });

    it('fires an hourly expression in both passes of the repeated hour', () => {
      expect(
        take('0 * * * *', 'America/New_York', '2030-11-03T04:30:00.000Z', 3),
      ).toEqual([
        '2030-11-03T05:00:00.000Z', // 01:00 EDT
        '2030-11-03T06:00:00.000Z', // 01:00 EST
        '2030-11-03T07:00:00.000Z', // 02:00 EST
      ]);
    });
  });

  describe('across the 30-minute shifts of Australia/Lord_Howe', () => {
    // 2030-10-06: 02:00 +10:30 jumps to 02:30 +11:00. 2030-04-07: 02:00 +11:00 falls back to 01:30 +10:30.
    it('fires a wall time in the half-hour gap at 02:30 +11:00', () => {
      expect(
        take(
          '15 2 * * *',
          'Australia/Lord_Howe',
          '2030-10-05T00:00:00.000Z',
          2,
        ),
      ).toEqual(['2030-10-05T15:30:00.000Z', '2030-10-06T15:15:00.000Z']);
    });

    it('fires a wall time in the repeated half hour once', () => {
      expect(
        take(
          '45 1 * * *',
          'Australia/Lord_Howe',
          '2030-04-06T00:00:00.000Z',
          2,
        ),
      ).toEqual(['2030-04-06T14:45:00.000Z', '2030-04-07T15:15:00.000Z']);
    });
  });

  describe('against a minute-by-minute definition', () => {
    const cases: [string, string, string][] = [
      ['*/15 * * * *', 'Europe/Berlin', '2030-03-30T20:00:00.000Z'],
      ['*/15 * * * *', 'Europe/Berlin', '2030-10-26T20:00:00.000Z'],
      ['*/20 1-3 * * *', 'Europe/Berlin', '2030-03-30T20:00:00.000Z'],
      ['*/20 1-3 * * *', 'Europe/Berlin', '2030-10-26T20:00:00.000Z'],
      ['0,30 2 * * *', 'America/New_York', '2030-03-09T20:00:00.000Z'],
      ['10 1 * * *', 'America/New_York', '2030-11-02T20:00:00.000Z'],
      ['*/10 * * * *', 'Australia/Lord_Howe', '2030-10-05T10:00:00.000Z'],
      ['5,35 1,2 * * *', 'Australia/Lord_Howe', '2030-04-06T10:00:00.000Z'],
      ['5,35 1,2 * * *', 'Australia/Lord_Howe', '2030-10-05T10:00:00.000Z'],
      ['*/7 * * * *', 'Asia/Kathmandu', '2030-06-01T00:00:00.000Z'],
    ];

    it.each(cases)(
      'agrees on "%s" in %s over the 12 hours from %s, forwards and backwards',
      (expression, zone, from) => {
        const fromMs = Date.parse(from);
        const toMs = fromMs + 12 * 3_600_000;
        const expected = oracle(expression, zone, fromMs, toMs);
        expect(expected.length).toBeGreaterThan(0);
        const forwards: string[] = [];
        for (
          let t = nextCronOccurrence(expression, zone, new Date(fromMs));
          t && t.getTime() <= toMs;
          t = nextCronOccurrence(expression, zone, t)
        ) {
          forwards.push(t.toISOString());
        }
        expect(forwards).toEqual(expected);
        const backwards: string[] = [];
        for (
          let t = previousCronOccurrence(expression, zone, new Date(toMs + 1));
          t && t.getTime() > fromMs;
          t = previousCronOccurrence(expression, zone, t)
        ) {
          backwards.unshift(t.toISOString());
        }
        expect(backwards).toEqual(expected);
      },
    );

    it.each(cases)(
      'finds the neighbours of arbitrary instants for "%s" in %s from %s',
      (expression, zone, from) => {
        const fromMs = Date.parse(from);
        const expected = oracle(
          expression,
          zone,
          fromMs - 30 * 3_600_000,
          fromMs + 42 * 3_600_000,
        ).map((s) => Date.parse(s));
        for (
          let probe = fromMs;
          probe < fromMs + 12 * 3_600_000;
          probe += 7 * MINUTE + 13_000
        ) {
          const next = expected.find((t) => t > probe);
          const previous = [...expected].reverse().find((t) => t < probe);
          expect(
            iso(nextCronOccurrence(expression, zone, new Date(probe))),
          ).toBe(iso(next ?? null));
          expect(
            iso(previousCronOccurrence(expression, zone, new Date(probe))),
          ).toBe(iso(previous ?? null));
        }
      },
    );
  });
});
