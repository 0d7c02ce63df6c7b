import { ValidationError } from '../errors';
import {
  describeExclusion,
  excludedBy,
  type Exclusion,
  findExclusion,
  MAX_SCHEDULE_EXCLUSIONS,
  parseCalendarIds,
  parseExclusions,
} from './exclusions';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const at = (iso: string) => new Date(iso);

describe('exclusions', () => {
  describe('excludedBy', () => {
    const christmas: Exclusion = { date: '2026-12-25' };

    it('excludes a whole day on the wall clock of the zone, not in UTC', () => {
      // 2026-12-24T23:30Z is already the 25th in Berlin (+01:00), still the 24th in New York.
      expect(
        excludedBy(at('2026-12-24T23:30:00Z'), [christmas], 'Europe/Berlin'),
      ).toBe(christmas);
      expect(
        excludedBy(at('2026-12-24T23:30:00Z'), [christmas], 'America/New_York'),
      ).toBeNull();
      expect(
        excludedBy(at('2026-12-25T23:30:00Z'), [christmas], 'Europe/Berlin'),
      ).toBeNull();
    });

    it('includes both ends of a date range', () => {
      const range: Exclusion = { from: '2026-12-24', to: '2026-12-26' };
      for (const day of ['24', '25', '26'])
        expect(excludedBy(at(`2026-12-${day}T12:00:00Z`), [range], 'UTC')).toBe(
          range,
        );
      expect(excludedBy(at('2026-12-23T23:59:59Z'), [range], 'UTC')).toBeNull();
      expect(excludedBy(at('2026-12-27T00:00:00Z'), [range], 'UTC')).toBeNull();
    });

    it('excludes listed weekdays, and only inside "between" when given', () => {
      const weekend: Exclusion = { daysOfWeek: [0, 6] };
      // 2026-12-05 is a Saturday.
      expect(excludedBy(at('2026-12-05T10:00:00Z'), [weekend], 'UTC')).toBe(
        weekend,
      );
      expect(
        excludedBy(at('2026-12-07T10:00:00Z'), [weekend], 'UTC'),
      ).toBeNull();
      const lunch: Exclusion = { daysOfWeek: [1], between: ['12:00', '13:00'] };
      expect(excludedBy(at('2026-12-07T12:00:00Z'), [lunch], 'UTC')).toBe(
        lunch,
      );
      expect(excludedBy(at('2026-12-07T12:59:59Z'), [lunch], 'UTC')).toBe(
        lunch,
      );
      expect(excludedBy(at('2026-12-07T13:00:00Z'), [lunch], 'UTC')).toBeNull();
      expect(excludedBy(at('2026-12-08T12:30:00Z'), [lunch], 'UTC')).toBeNull();
    });

    it('runs a window whose end is before its start into the next day', () => {
      // Friday 22:00 to Saturday 06:00, in Berlin.
      const night: Exclusion = { daysOfWeek: [5], between: ['22:00', '06:00'] };
      const zone = 'Europe/Berlin';
      expect(excludedBy(at('2026-12-04T21:00:00Z'), [night], zone)).toBe(night); // Fri 22:00
      expect(excludedBy(at('2026-12-05T04:59:00Z'), [night], zone)).toBe(night); // Sat 05:59
      expect(excludedBy(at('2026-12-05T05:00:00Z'), [night], zone)).toBeNull(); // Sat 06:00
      expect(excludedBy(at('2026-12-04T20:59:00Z'), [night], zone)).toBeNull(); // Fri 21:59
      expect(excludedBy(at('2026-12-05T21:30:00Z'), [night], zone)).toBeNull(); // Sat 22:30
    });

    it('names the schedule’s own exclusion first, then the first calendar that matches', () => {
      const holidays = {
        id: 'c1',
        name: 'holidays',
        exclusions: [{ date: '2026-12-25' }],
      };
      const closures = {
        id: 'c2',
        name: 'closures',
        exclusions: [{ from: '2026-12-20', to: '2026-12-31' }],
      };
      const xmas = at('2026-12-25T09:00:00Z');
      expect(
        findExclusion(
          xmas,
          { exclusions: [], calendars: [holidays, closures] },
          'UTC',
        ),
      ).toEqual({
        exclusion: { date: '2026-12-25' },
        calendar: { id: 'c1', name: 'holidays' },
      });
      expect(
        findExclusion(
          xmas,
          { exclusions: [{ daysOfWeek: [5] }], calendars: [holidays] },
          'UTC',
        ),
      ).toEqual({ exclusion: { daysOfWeek: [5] }, calendar: null });
      expect(
        findExclusion(
          at('2027-01-05T09:00:00Z'),
          { exclusions: [], calendars: [holidays, closures] },
          'UTC',
        ),
      ).toBeNull();
    });
  });

  describe('parseExclusions', () => {
    it('accepts the three shapes and sorts days', () => {
      expect(
        parseExclusions([
          { date: '2028-02-29' },
          { from: '2026-12-24', to: '2026-12-24' },
          { daysOfWeek: [6, 0] },
          { daysOfWeek: [1], between: ['22:00', '06:00'] },
        ]),
      ).toEqual([
        { date: '2028-02-29' },
        { from: '2026-12-24', to: '2026-12-24' },
        { daysOfWeek: [0, 6] },
        { daysOfWeek: [1], between: ['22:00', '06:00'] },
      ]);
    });

    it.each([
      ['not an array', { date: '2026-12-25' }, 'exclusions'],
      ['a string item', ['2026-12-25'], 'exclusions[0]'],
      ['an empty object', [{}], 'exclusions[0]'],
      [
        'a bad date',
        [{ date: '2026-12-25' }, { date: '2026-02-30' }],
        'exclusions[1].date',
      ],
      [
        'a date with a time',
        [{ date: '2026-12-25T00:00:00Z' }],
        'exclusions[0].date',
      ],
      ['a range without to', [{ from: '2026-12-24' }], 'exclusions[0].to'],
      [
        'a range backwards',
        [{ from: '2026-12-26', to: '2026-12-24' }],
        'exclusions[0].to',
      ],
      [
        'an unknown field',
        [{ date: '2026-12-25', zone: 'UTC' }],
        'exclusions[0].zone',
      ],
      ['no days', [{ daysOfWeek: [] }], 'exclusions[0].daysOfWeek'],
      ['day 7', [{ daysOfWeek: [1, 7] }], 'exclusions[0].daysOfWeek[1]'],
      [
        'a repeated day',
        [{ daysOfWeek: [1, 1] }],
        'exclusions[0].daysOfWeek[1]',
      ],
      [
        'one time',
        [{ daysOfWeek: [1], between: ['22:00'] }],
        'exclusions[0].between',
      ],
      [
        '24:00',
        [{ daysOfWeek: [1], between: ['22:00', '24:00'] }],
        'exclusions[0].between[1]',
      ],
      [
        'equal times',
        [{ daysOfWeek: [1], between: ['06:00', '06:00'] }],
        'exclusions[0].between[1]',
      ],
    ])('refuses %s naming the field', (_name, input, field) => {
      expect(fieldOf(() => parseExclusions(input))).toBe(field);
    });

    it(`refuses more than ${MAX_SCHEDULE_EXCLUSIONS} exclusions`, () => {
      const many = Array.from({ length: MAX_SCHEDULE_EXCLUSIONS + 1 }, () => ({
        date: '2026-12-25',
      }));
      expect(() => parseExclusions(many)).toThrow(/at most 100/);
    });
  });

  it('validates calendarIds as UUIDs without repeats, lower-cased', () => {
    const id = '5C7E0A2E-1F0B-4C1E-9A57-1B2C3D4E5F60';
    expect(parseCalendarIds([id])).toEqual([id.toLowerCase()]);
    expect(fieldOf(() => parseCalendarIds([id, 'x']))).toBe('calendarIds[1]');
    expect(fieldOf(() => parseCalendarIds([id, id.toLowerCase()]))).toBe(
      'calendarIds[1]',
    );
    expect(fieldOf(() => parseCalendarIds('x'))).toBe('calendarIds');
  });

  it('describes each shape in words', () => {
    expect(describeExclusion({ date: '2026-12-25' })).toBe('2026-12-25');
    expect(describeExclusion({ from: '2026-12-24', to: '2026-12-26' })).toBe(
      '2026-12-24 to 2026-12-26',
    );
    expect(describeExclusion({ daysOfWeek: [0, 6] })).toBe(
      'Sunday and Saturday',
    );
    expect(
      describeExclusion({ daysOfWeek: [1, 2, 5], between: ['22:00', '06:00'] }),
    ).toBe('Monday, Tuesday and Friday 22:00-06:00');
  });
});
