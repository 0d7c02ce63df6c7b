import { describe, expect, it } from 'vitest';
import { formatCountdown, formatWithOffset } from './clock-text';

describe('formatWithOffset', () => {
  it('shows the wall time with the zone offset of that instant', () => {
    expect(formatWithOffset('2026-12-03T01:30:00.000Z', 'Europe/Berlin')).toBe(
      '03 Dec 2026, 02:30:00 GMT+1',
    );
    expect(formatWithOffset('2027-07-03T00:30:00.000Z', 'Europe/Berlin')).toBe(
      '03 Jul 2027, 02:30:00 GMT+2',
    );
    expect(formatWithOffset('2026-12-03T01:30:00.000Z', 'Asia/Kolkata')).toBe(
      '03 Dec 2026, 07:00:00 GMT+5:30',
    );
    expect(
      formatWithOffset('2026-12-03T01:30:00.000Z', 'America/New_York'),
    ).toBe('02 Dec 2026, 20:30:00 GMT-5');
    // ICU versions spell a zero offset differently (GMT, GMT+0).
    expect(formatWithOffset('2026-12-03T01:30:00.000Z', 'UTC')).toMatch(
      /^03 Dec 2026, 01:30:00 GMT(\+0)?$/,
    );
  });
});

describe('formatCountdown', () => {
  const s = 1000;
  it('gives the two largest units that are not zero', () => {
    expect(formatCountdown((3 * 3600 + 12 * 60 + 5) * s)).toBe('in 3 h 12 min');
    expect(formatCountdown((4 * 60 + 5) * s)).toBe('in 4 min 5 s');
    expect(formatCountdown(9 * s + 400)).toBe('in 9 s');
    expect(formatCountdown((2 * 86_400 + 3 * 3600 + 59) * s)).toBe(
      'in 2 d 3 h',
    );
    expect(formatCountdown(3600 * s + 30 * s)).toBe('in 1 h');
  });

  it('says due now within a second, and how long ago once past', () => {
    expect(formatCountdown(999)).toBe('due now');
    expect(formatCountdown(-999)).toBe('due now');
    expect(formatCountdown(-64 * s)).toBe('1 min 4 s ago');
  });
});
