import { QuotaExceededError } from '../errors';
import {
  checkCronInterval,
  checkOwnerUsage,
  DEFAULT_SCHEDULE_QUOTAS,
  type ScheduleQuotas,
  UNLIMITED_SCHEDULE_QUOTAS,
  usageLimits,
} from './schedule-quotas';
import { scheduleRate } from './schedule-rate';

const QUOTAS: ScheduleQuotas = {
  maxSchedulesPerOwner: 10,
  minCronIntervalMs: 60_000,
  maxFiresPerMinutePerOwner: 5,
};

function cron(expression: string) {
  return scheduleRate({ type: 'cron', expression, timezone: 'UTC' });
}

function refusal(check: () => void): QuotaExceededError {
  try {
    check();
  } catch (error) {
    if (error instanceof QuotaExceededError) return error;
    throw error;
  }
  throw new Error('expected a QuotaExceededError');
}

describe('checkCronInterval', () => {
  it('lets through a cron whose occurrences are at least the interval apart', () => {
    expect(() => checkCronInterval(cron('* * * * *'), QUOTAS)).not.toThrow();
    expect(() => checkCronInterval(cron('0 0 * * *'), QUOTAS)).not.toThrow();
  });

  it('refuses a cron that fires more often, naming the expression and the variable', () => {
    const error = refusal(() =>
      checkCronInterval(cron('*/30 * * * * *'), QUOTAS),
    );
    expect(error).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      field: 'schedule.expression',
    });
    expect(error.message).toBe(
      'fires as often as every 30 s; the shortest interval allowed is 60 s (QUOTA_MIN_CRON_INTERVAL)',
    );
  });

  it('never refuses a one-shot, and allows every cron by default', () => {
    expect(() =>
      checkCronInterval(
        scheduleRate({ type: 'at', at: '2030-01-01T00:00:00.000Z' }),
        QUOTAS,
      ),
    ).not.toThrow();
    expect(() =>
      checkCronInterval(cron('* * * * * *'), DEFAULT_SCHEDULE_QUOTAS),
    ).not.toThrow();
    expect(() =>
      checkCronInterval(cron('* * * * * *'), UNLIMITED_SCHEDULE_QUOTAS),
    ).not.toThrow();
  });
});

describe('checkOwnerUsage', () => {
  const one = { schedules: 1, firesPerHour: 60 };

  it('allows totals up to the limits, inclusive', () => {
    expect(() =>
      checkOwnerUsage(
        'team-a',
        { schedules: 10, firesPerHour: 300 },
        one,
        QUOTAS,
      ),
    ).not.toThrow();
  });

  it('refuses one schedule too many, naming the owner, the limit and the variable', () => {
    const error = refusal(() =>
      checkOwnerUsage(
        'team-a',
        { schedules: 11, firesPerHour: 60 },
        one,
        QUOTAS,
      ),
    );
    expect(error.field).toBe('owner');
    expect(error.message).toBe(
      'owner "team-a" already has 10 schedules; at most 10 are allowed (QUOTA_MAX_SCHEDULES_PER_OWNER); delete some first',
    );
  });

  it('refuses a rate over the fires per minute, in fires per minute', () => {
    const error = refusal(() =>
      checkOwnerUsage(
        'team-a',
        { schedules: 2, firesPerHour: 330 },
        { schedules: 0, firesPerHour: 30 },
        QUOTAS,
      ),
    );
    expect(error.message).toBe(
      'owner "team-a" would fire 5.50 times a minute; at most 5 are allowed (QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER); pause or slow down other schedules first',
    );
  });

  it('never refuses what does not grow: an owner over a lowered limit can still edit and pause', () => {
    const over = { schedules: 50, firesPerHour: 6_000 };
    expect(() =>
      checkOwnerUsage(
        'team-a',
        over,
        { schedules: 0, firesPerHour: 0 },
        QUOTAS,
      ),
    ).not.toThrow();
    // A one-shot adds a schedule but no rate: only the count is checked.
    expect(
      refusal(() =>
        checkOwnerUsage(
          'team-a',
          over,
          { schedules: 1, firesPerHour: 0 },
          QUOTAS,
        ),
      ).message,
    ).toMatch(/QUOTA_MAX_SCHEDULES_PER_OWNER/);
  });

  it('treats 0 as unlimited', () => {
    expect(() =>
      checkOwnerUsage(
        'team-a',
        { schedules: 1e9, firesPerHour: 1e12 },
        one,
        UNLIMITED_SCHEDULE_QUOTAS,
      ),
    ).not.toThrow();
  });

  it('gives the database its limits in fires per hour', () => {
    expect(usageLimits(QUOTAS)).toEqual({ schedules: 10, firesPerHour: 300 });
    expect(usageLimits(UNLIMITED_SCHEDULE_QUOTAS)).toEqual({
      schedules: 0,
      firesPerHour: 0,
    });
  });
});
