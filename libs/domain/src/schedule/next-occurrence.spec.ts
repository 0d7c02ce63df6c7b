import { ValidationError } from '../errors';
import {
  firstRunAt,
  nextOccurrence,
  previousOccurrence,
  upcomingOccurrences,
} from './next-occurrence';
import type { ScheduleSpec } from './schedule-spec';

const now = new Date('2030-01-01T00:00:00.000Z');
const everyFiveSeconds: ScheduleSpec = {
  type: 'cron',
  expression: '*/5 * * * * *',
  timezone: 'UTC',
};
const oneShot: ScheduleSpec = { type: 'at', at: '2030-01-01T00:00:10.000Z' };
const delayed: ScheduleSpec = {
  type: 'delay',
  delay: 'PT10S',
  at: '2030-01-01T00:00:10.000Z',
};

describe('nextOccurrence', () => {
  it('returns the first cron occurrence strictly after the instant', () => {
    expect(nextOccurrence(everyFiveSeconds, now)?.toISOString()).toBe(
      '2030-01-01T00:00:05.000Z',
    );
  });

  it('returns a one-shot time only while it is still ahead', () => {
    expect(nextOccurrence(oneShot, now)?.toISOString()).toBe(
      '2030-01-01T00:00:10.000Z',
    );
    expect(nextOccurrence(delayed, now)?.toISOString()).toBe(
      '2030-01-01T00:00:10.000Z',
    );
    expect(
      nextOccurrence(oneShot, new Date('2030-01-01T00:00:10.000Z')),
    ).toBeNull();
  });
});

describe('previousOccurrence', () => {
  it('returns the last occurrence strictly before the instant', () => {
    expect(previousOccurrence(everyFiveSeconds, now)?.toISOString()).toBe(
      '2029-12-31T23:59:55.000Z',
    );
    expect(
      previousOccurrence(
        oneShot,
        new Date('2030-01-01T00:00:10.001Z'),
      )?.toISOString(),
    ).toBe('2030-01-01T00:00:10.000Z');
    expect(previousOccurrence(oneShot, now)).toBeNull();
  });
});

describe('firstRunAt', () => {
  it('gives a one-shot its own time even when that is slightly past', () => {
    expect(
      firstRunAt(oneShot, new Date('2030-01-01T00:00:11.000Z'))?.toISOString(),
    ).toBe('2030-01-01T00:00:10.000Z');
  });

  it('gives a cron its next occurrence after now, never now itself', () => {
    expect(
      firstRunAt(
        everyFiveSeconds,
        new Date('2030-01-01T00:00:05.000Z'),
      )?.toISOString(),
    ).toBe('2030-01-01T00:00:10.000Z');
  });
});

describe('upcomingOccurrences', () => {
  it('lists the requested number of cron occurrences in order', () => {
    expect(
      upcomingOccurrences(everyFiveSeconds, now, 3).map((d) => d.toISOString()),
    ).toEqual([
      '2030-01-01T00:00:05.000Z',
      '2030-01-01T00:00:10.000Z',
      '2030-01-01T00:00:15.000Z',
    ]);
  });

  it('lists at most one occurrence for a one-shot, and none once it has passed', () => {
    expect(upcomingOccurrences(oneShot, now, 5)).toHaveLength(1);
    expect(
      upcomingOccurrences(oneShot, new Date('2030-01-02T00:00:00Z'), 5),
    ).toEqual([]);
  });

  it.each([0, 101, 1.5, Number.NaN])(
    'rejects a count of %p naming the count field',
    (count) => {
      expect(() => upcomingOccurrences(everyFiveSeconds, now, count)).toThrow(
        ValidationError,
      );
      try {
        upcomingOccurrences(everyFiveSeconds, now, count);
      } catch (error) {
        expect((error as ValidationError).field).toBe('count');
      }
    },
  );

  it('accepts the largest count', () => {
    expect(upcomingOccurrences(everyFiveSeconds, now, 100)).toHaveLength(100);
  });
});
