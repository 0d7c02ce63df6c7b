import { ValidationError } from '../errors';
import {
  firstRunAfterPause,
  occurrenceToSkip,
  parsePausedUntil,
  pausedAt,
  pauseHasEnded,
} from './pause-until';
import type { ScheduleSpec } from './schedule-spec';

const NOW = new Date('2030-01-01T12:00:00.000Z');
const HOURLY: ScheduleSpec = {
  type: 'cron',
  expression: '0 * * * *',
  timezone: 'UTC',
};

describe('pausedUntil', () => {
  it('accepts an instant after now, up to 366 days ahead', () => {
    expect(parsePausedUntil('2030-01-02T00:00:00+01:00', NOW)).toEqual(
      new Date('2030-01-01T23:00:00.000Z'),
    );
    expect(parsePausedUntil(null, NOW)).toBeNull();
  });

  it.each([
    ['now', '2030-01-01T12:00:00Z', /not in the future/],
    ['the past', '2029-12-31T12:00:00Z', /not in the future/],
    ['too far', '2031-01-03T12:00:00Z', /more than 366 days/],
    ['no offset', '2030-01-02T00:00:00', /no UTC offset/],
  ])('refuses %s naming pausedUntil', (_name, input, message) => {
    expect(() => parsePausedUntil(input, NOW)).toThrow(message);
    expect(() => parsePausedUntil(input, NOW)).toThrow(ValidationError);
  });

  it('covers occurrences before its end, and none from its end on', () => {
    const until = new Date('2030-01-01T15:00:00.000Z');
    expect(pausedAt(new Date('2030-01-01T14:59:59.999Z'), until)).toBe(true);
    expect(pausedAt(until, until)).toBe(false);
    expect(pausedAt(new Date('2099-01-01T00:00:00Z'), null)).toBe(true);
    expect(pauseHasEnded(until, new Date('2030-01-01T14:00:00Z'))).toBe(false);
    expect(pauseHasEnded(until, until)).toBe(true);
    expect(pauseHasEnded(null, until)).toBe(false);
  });

  it('resumes a cron at the first occurrence at or after the end', () => {
    expect(
      firstRunAfterPause(HOURLY, new Date('2030-01-01T15:00:00.000Z')),
    ).toEqual(new Date('2030-01-01T15:00:00.000Z'));
    expect(
      firstRunAfterPause(HOURLY, new Date('2030-01-01T15:00:01.000Z')),
    ).toEqual(new Date('2030-01-01T16:00:00.000Z'));
  });
});

describe('skip next', () => {
  it("marks an active schedule's next run", () => {
    const next = new Date('2030-01-01T13:00:00.000Z');
    expect(
      occurrenceToSkip({
        spec: HOURLY,
        status: 'active',
        nextRunAt: next,
        pausedUntil: null,
      }),
    ).toEqual(next);
  });

  it('marks the first run after a pause with an end, and nothing for an endless pause', () => {
    expect(
      occurrenceToSkip({
        spec: HOURLY,
        status: 'paused',
        nextRunAt: null,
        pausedUntil: new Date('2030-01-01T15:30:00.000Z'),
      }),
    ).toEqual(new Date('2030-01-01T16:00:00.000Z'));
    expect(
      occurrenceToSkip({
        spec: HOURLY,
        status: 'paused',
        nextRunAt: null,
        pausedUntil: null,
      }),
    ).toBeNull();
    expect(
      occurrenceToSkip({
        spec: HOURLY,
        status: 'completed',
        nextRunAt: null,
        pausedUntil: null,
      }),
    ).toBeNull();
  });
});
