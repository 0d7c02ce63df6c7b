import { ValidationError } from '../errors';
import { previewOccurrences } from './occurrence-notes';

const from = (iso: string) => new Date(iso);
const cron = (expression: string, timezone: string) =>
  ({ type: 'cron', expression, timezone }) as const;

describe('previewOccurrences', () => {
  it('explains a Berlin 02:30 on the spring-forward day (fires at 03:00 CEST)', () => {
    const items = previewOccurrences(
      cron('30 2 * * *', 'Europe/Berlin'),
      from('2027-03-27T00:00:00Z'),
      3,
    );
    expect(items.map((i) => i.at)).toEqual([
      '2027-03-27T01:30:00.000Z',
      '2027-03-28T01:00:00.000Z',
      '2027-03-29T00:30:00.000Z',
    ]);
    expect(items[0]?.notes).toEqual([]);
    expect(items[1]?.notes).toEqual([
      '02:30 does not exist on 2027-03-28 in Europe/Berlin (clocks jump from 02:00 to 03:00); fires once at 03:00 +02:00 (2027-03-28T01:00:00.000Z)',
    ]);
    expect(items[2]?.notes).toEqual([]);
  });

  it('lists every wall time of the gap that fires together', () => {
    const [item] = previewOccurrences(
      cron('*/15 2 * * *', 'Europe/Berlin'),
      from('2027-03-28T00:00:00Z'),
      1,
    );
    expect(item.at).toBe('2027-03-28T01:00:00.000Z');
    expect(item.notes[0]).toMatch(
      /^02:00, 02:15, 02:30, 02:45 do not exist on 2027-03-28/,
    );
  });

  it('says a repeated Berlin 02:30 on the fall-back day fires at the first pass only', () => {
    const items = previewOccurrences(
      cron('30 2 * * *', 'Europe/Berlin'),
      from('2027-10-30T12:00:00Z'),
      2,
    );
    expect(items.map((i) => i.at)).toEqual([
      '2027-10-31T00:30:00.000Z',
      '2027-11-01T01:30:00.000Z',
    ]);
    expect(items[0]?.notes).toEqual([
      '02:30 happens twice on 2027-10-31 in Europe/Berlin; fires once, at the first (+02:00, 2027-10-31T00:30:00.000Z), not at the second (+01:00, 2027-10-31T01:30:00.000Z)',
    ]);
    expect(items[1]?.notes).toEqual([]);
  });

  it('explains New York: a fixed 02:30 in the March gap, an interval in the November overlap', () => {
    const [spring] = previewOccurrences(
      cron('30 2 * * *', 'America/New_York'),
      from('2027-03-14T00:00:00Z'),
      1,
    );
    expect(spring.at).toBe('2027-03-14T07:00:00.000Z');
    expect(spring.notes[0]).toMatch(
      /^02:30 does not exist on 2027-03-14 in America\/New_York .*fires once at 03:00 -04:00/,
    );
    const hourly = previewOccurrences(
      cron('30 * * * *', 'America/New_York'),
      from('2027-11-07T05:00:00Z'),
      2,
    );
    expect(hourly.map((i) => i.at)).toEqual([
      '2027-11-07T05:30:00.000Z',
      '2027-11-07T06:30:00.000Z',
    ]);
    expect(hourly[0]?.notes.at(0)).toMatch(
      /01:30 happens twice .*this is the first \(-04:00\)/,
    );
    expect(hourly[1]?.notes.at(0)).toMatch(/this is the second \(-05:00\)/);
  });

  it('names the months a 31st-of-month cron skips', () => {
    const items = previewOccurrences(
      cron('0 0 31 * *', 'UTC'),
      from('2027-01-01T00:00:00Z'),
      3,
    );
    expect(items.map((i) => i.at)).toEqual([
      '2027-01-31T00:00:00.000Z',
      '2027-03-31T00:00:00.000Z',
      '2027-05-31T00:00:00.000Z',
    ]);
    expect(items.map((i) => i.notes)).toEqual([
      [],
      ['February 2027 has no day 31; nothing fires for it'],
      ['April 2027 has no day 31; nothing fires for it'],
    ]);
  });

  it('has no notes on ordinary days and in UTC', () => {
    const items = previewOccurrences(
      cron('0 9 * * *', 'Europe/Berlin'),
      from('2027-06-01T00:00:00Z'),
      5,
    );
    expect(items).toHaveLength(5);
    expect(items.every((i) => i.notes.length === 0)).toBe(true);
  });

  it('gives an at or a delay spec its one item', () => {
    const at = '2027-01-01T10:00:00.000Z';
    expect(
      previewOccurrences({ type: 'at', at }, from('2027-01-01T09:00:00Z'), 10),
    ).toEqual([{ at, notes: [] }]);
    expect(
      previewOccurrences(
        { type: 'delay', delay: 'PT1H', at },
        from('2027-01-01T09:00:00Z'),
        10,
      ),
    ).toEqual([{ at, notes: [] }]);
  });

  it('includes an occurrence exactly at from', () => {
    const [item] = previewOccurrences(
      cron('0 0 * * *', 'UTC'),
      from('2027-01-02T00:00:00Z'),
      1,
    );
    expect(item.at).toBe('2027-01-02T00:00:00.000Z');
  });

  it('rejects a count outside 1..100 naming count', () => {
    expect(() =>
      previewOccurrences(
        cron('0 0 * * *', 'UTC'),
        from('2027-01-01T00:00:00Z'),
        101,
      ),
    ).toThrow(ValidationError);
  });

  describe('with DST policies', () => {
    it('gap skip: the next item says the 02:30 that does not exist was skipped', () => {
      const items = previewOccurrences(
        cron('30 2 * * *', 'Europe/Berlin'),
        from('2027-03-27T12:00:00Z'),
        2,
        { dstGapPolicy: 'skip' },
      );
      expect(items.map((i) => i.at)).toEqual([
        '2027-03-29T00:30:00.000Z',
        '2027-03-30T00:30:00.000Z',
      ]);
      expect(items[0]?.notes).toEqual([
        '02:30 does not exist on 2027-03-28 in Europe/Berlin (clocks jump from 02:00 to 03:00); skipped (dstGapPolicy skip): nothing fires for it (2027-03-28T01:00:00.000Z)',
      ]);
      expect(items[1]?.notes).toEqual([]);
    });

    it('gap skip: a skip before `from` is not mentioned', () => {
      const [item] = previewOccurrences(
        cron('30 2 * * *', 'Europe/Berlin'),
        from('2027-03-28T12:00:00Z'),
        1,
        { dstGapPolicy: 'skip' },
      );
      expect(item.notes).toEqual([]);
    });

    it('gap skip: when the end of the gap fires for its own wall time, the note says both', () => {
      const [item] = previewOccurrences(
        cron('30 2,3 * * *', 'Europe/Berlin'),
        from('2027-03-28T00:45:00Z'),
        1,
        { dstGapPolicy: 'skip' },
      );
      expect(item.at).toBe('2027-03-28T01:30:00.000Z');
      expect(item.notes[0]).toMatch(
        /^02:30 does not exist on 2027-03-28 .*skipped \(dstGapPolicy skip\)/,
      );
    });

    it('overlap second: 02:30 fires once, at the second (CET)', () => {
      const [item] = previewOccurrences(
        cron('30 2 * * *', 'Europe/Berlin'),
        from('2027-10-30T12:00:00Z'),
        1,
        { dstOverlapPolicy: 'second' },
      );
      expect(item).toEqual({
        at: '2027-10-31T01:30:00.000Z',
        notes: [
          '02:30 happens twice on 2027-10-31 in Europe/Berlin; fires once, at the second (+01:00, 2027-10-31T01:30:00.000Z), not at the first (+02:00, 2027-10-31T00:30:00.000Z) (dstOverlapPolicy second)',
        ],
      });
    });

    it('overlap twice: both passes are items, each saying which it is', () => {
      const items = previewOccurrences(
        cron('30 2 * * *', 'Europe/Berlin'),
        from('2027-10-30T12:00:00Z'),
        2,
        { dstOverlapPolicy: 'twice' },
      );
      expect(items).toEqual([
        {
          at: '2027-10-31T00:30:00.000Z',
          notes: [
            '02:30 happens twice on 2027-10-31 in Europe/Berlin; fires twice (dstOverlapPolicy twice): this is the first (+02:00, 2027-10-31T00:30:00.000Z), the other is the second (+01:00, 2027-10-31T01:30:00.000Z)',
          ],
        },
        {
          at: '2027-10-31T01:30:00.000Z',
          notes: [
            '02:30 happens twice on 2027-10-31 in Europe/Berlin; fires twice (dstOverlapPolicy twice): this is the second (+01:00, 2027-10-31T01:30:00.000Z), the other is the first (+02:00, 2027-10-31T00:30:00.000Z)',
          ],
        },
      ]);
    });
  });
});
