import { scheduledAtText } from './trigger-provider';

describe('scheduledAtText', () => {
  it('formats the instant as ISO 8601 in UTC with milliseconds', () => {
    expect(
      scheduledAtText({
        scheduledAt: new Date('2026-12-03T17:28:51.250+01:00'),
      }),
    ).toBe('2026-12-03T16:28:51.250Z');
  });

  it('follows every change of instant, back and forth', () => {
    const a = new Date('2026-12-03T10:00:00.000Z');
    const b = new Date('2026-12-03T10:00:00.001Z');
    expect(scheduledAtText({ scheduledAt: a })).toBe(
      '2026-12-03T10:00:00.000Z',
    );
    expect(scheduledAtText({ scheduledAt: b })).toBe(
      '2026-12-03T10:00:00.001Z',
    );
    expect(scheduledAtText({ scheduledAt: new Date(a.getTime()) })).toBe(
      '2026-12-03T10:00:00.000Z',
    );
  });

  it('throws on an invalid date, and does not remember it', () => {
    const invalid = new Date(Number.NaN);
    expect(() => scheduledAtText({ scheduledAt: invalid })).toThrow(RangeError);
    expect(() => scheduledAtText({ scheduledAt: invalid })).toThrow(RangeError);
  });
});
