import { ValidationError } from '../errors';
import { parseTimeZone, zoneOffsetMs } from './time-zone';

function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseTimeZone', () => {
  it('accepts IANA names and UTC as sent', () => {
    expect(parseTimeZone('Europe/Berlin', 'tz')).toBe('Europe/Berlin');
    expect(parseTimeZone('Asia/Kathmandu', 'tz')).toBe('Asia/Kathmandu');
    expect(parseTimeZone('UTC', 'tz')).toBe('UTC');
  });

  it('stores the canonical spelling when the case is off', () => {
    expect(parseTimeZone('europe/berlin', 'tz')).toBe('Europe/Berlin');
    expect(parseTimeZone('utc', 'tz')).toBe('UTC');
  });

  it('accepts IANA links such as US/Eastern and fixed-offset Etc/ zones', () => {
    expect(parseTimeZone('US/Eastern', 'tz')).toBe('US/Eastern');
    expect(parseTimeZone('Etc/GMT-2', 'tz')).toBe('Etc/GMT-2');
    expect(zoneOffsetMs('Etc/GMT-2', Date.parse('2030-07-01T00:00:00Z'))).toBe(
      7_200_000,
    );
  });

  it.each(['+05:30', '-03:00', 'UTC+2', 'GMT-5', '0530'])(
    'rejects the raw offset %s and says only IANA names are accepted',
    (zone) => {
      const error = errorOf(() => parseTimeZone(zone, 'schedule.timezone'));
      expect(error.field).toBe('schedule.timezone');
      expect(error.message).toContain('only IANA time zone names');
    },
  );

  it('rejects unknown names, empty strings and non-strings naming the field', () => {
    expect(
      errorOf(() => parseTimeZone('Mars/Olympus', 'schedule.timezone')).message,
    ).toContain('unknown time zone "Mars/Olympus"');
    expect(errorOf(() => parseTimeZone('', 'schedule.timezone')).field).toBe(
      'schedule.timezone',
    );
    expect(errorOf(() => parseTimeZone(5, 'schedule.timezone')).field).toBe(
      'schedule.timezone',
    );
  });
});

describe('zoneOffsetMs', () => {
  it('knows fractional offsets: +05:45 in Kathmandu and +13:45 in Chatham summer', () => {
    expect(
      zoneOffsetMs('Asia/Kathmandu', Date.parse('2030-01-01T00:00:00Z')),
    ).toBe((5 * 60 + 45) * 60_000);
    expect(
      zoneOffsetMs('Pacific/Chatham', Date.parse('2030-01-01T00:00:00Z')),
    ).toBe((13 * 60 + 45) * 60_000);
  });

  it('changes exactly at a daylight saving transition', () => {
    const transition = Date.parse('2030-03-31T01:00:00Z');
    expect(zoneOffsetMs('Europe/Berlin', transition - 1)).toBe(3_600_000);
    expect(zoneOffsetMs('Europe/Berlin', transition)).toBe(7_200_000);
  });
});
