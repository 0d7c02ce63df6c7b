import { ValidationError } from '../errors';
import { parseIsoDuration, parseIsoInstant } from './iso-time';

function messageOf(fn: () => unknown, field: string): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) {
      expect(error.field).toBe(field);
      return error.message;
    }
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseIsoInstant', () => {
  it.each([
    ['2030-01-01T09:00:00Z', '2030-01-01T09:00:00.000Z'],
    ['2030-01-01T09:00:00+01:00', '2030-01-01T08:00:00.000Z'],
    ['2030-01-01T09:00:00-0330', '2030-01-01T12:30:00.000Z'],
    ['2030-01-01T09:00+05:45', '2030-01-01T03:15:00.000Z'],
    ['2030-01-01t09:00:00.5z', '2030-01-01T09:00:00.500Z'],
    ['2030-01-01 09:00:00.123456789Z', '2030-01-01T09:00:00.123Z'],
    ['2032-02-29T00:00:00Z', '2032-02-29T00:00:00.000Z'],
  ])('reads %s as %s', (input, expected) => {
    expect(parseIsoInstant(input, 'at').toISOString()).toBe(expected);
  });

  it('rejects a local time without an offset, saying why', () => {
    expect(
      messageOf(
        () => parseIsoInstant('2030-01-01T09:00:00', 'schedule.at'),
        'schedule.at',
      ),
    ).toContain('has no UTC offset');
  });

  it.each([
    ['2030-02-30T00:00:00Z', 'has day 30, but 2030-02 has 28 days'],
    ['2031-02-29T00:00:00Z', 'has day 29, but 2031-02 has 28 days'],
    ['2030-13-01T00:00:00Z', 'has month 13'],
    ['2030-01-01T24:00:00Z', 'has hour 24'],
    ['2030-01-01T00:60:00Z', 'has minute 60'],
    ['2030-01-01T00:00:60Z', 'has second 60'],
    ['2030-01-01T00:00:00+24:00', 'invalid UTC offset'],
    ['tomorrow', 'is not an ISO-8601 date-time'],
    ['2030-01-01', 'is not an ISO-8601 date-time'],
  ])('rejects %s naming the problem', (input, message) => {
    expect(
      messageOf(() => parseIsoInstant(input, 'schedule.at'), 'schedule.at'),
    ).toContain(message);
  });

  it('rejects numbers', () => {
    expect(
      messageOf(
        () => parseIsoInstant(1893456000000, 'schedule.at'),
        'schedule.at',
      ),
    ).toContain('must be an ISO-8601 date-time string');
  });
});

describe('parseIsoDuration', () => {
  it.each([
    ['PT90S', 90_000],
    ['PT1.5S', 1500],
    ['PT0.5S', 500],
    ['PT0,25S', 250],
    ['P1DT2H', 93_600_000],
    ['PT1H30M', 5_400_000],
    ['P2W', 1_209_600_000],
    ['PT0.5H', 1_800_000],
    ['pt10s', 10_000],
    ['PT0S', 0],
  ])('reads %s as %i ms', (input, ms) => {
    expect(parseIsoDuration(input, 'delay')).toBe(ms);
  });

  it('rejects years and months because their length varies', () => {
    expect(
      messageOf(
        () => parseIsoDuration('P1M', 'schedule.delay'),
        'schedule.delay',
      ),
    ).toContain('years or months');
    expect(
      messageOf(
        () => parseIsoDuration('P1Y', 'schedule.delay'),
        'schedule.delay',
      ),
    ).toContain('years or months');
  });

  it('reads PT1M as one minute, not one month', () => {
    expect(parseIsoDuration('PT1M', 'delay')).toBe(60_000);
  });

  it('rejects negative durations', () => {
    expect(
      messageOf(
        () => parseIsoDuration('-PT5S', 'schedule.delay'),
        'schedule.delay',
      ),
    ).toContain('is negative');
  });

  it.each(['P', 'PT', '90s', 'PT5', 'P1H', 'PT1S2M', ''])(
    'rejects the malformed duration "%s"',
    (input) => {
      expect(
        messageOf(
          () => parseIsoDuration(input, 'schedule.delay'),
          'schedule.delay',
        ),
      ).toContain('is not an ISO-8601 duration');
    },
  );
});
