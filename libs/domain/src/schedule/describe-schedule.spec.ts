import { describeDelay, describeSchedule } from './describe-schedule';

const cron = (expression: string, timezone = 'UTC') =>
  describeSchedule({ type: 'cron', expression, timezone });

describe('describeSchedule', () => {
  it('says a daily cron in 24-hour time, with its zone', () => {
    expect(cron('30 2 * * *', 'Europe/Berlin')).toBe(
      'At 02:30, every day (Europe/Berlin)',
    );
    expect(cron('0 15 18 * * *', 'Asia/Tokyo')).toBe(
      'At 18:15, every day (Asia/Tokyo)',
    );
  });

  it('reads six fields with seconds first, as the scheduler does', () => {
    expect(cron('0 30 2 * * *', 'Europe/Paris')).toBe(
      'At 02:30, every day (Europe/Paris)',
    );
    expect(cron('*/5 * * * * *')).toBe('Every 5 seconds (UTC)');
    expect(cron('15 30 2 * * *')).toBe('At 02:30:15, every day (UTC)');
  });

  it('does not call a schedule daily when its days or hours are restricted', () => {
    expect(cron('0 9 * * 1-5')).toBe('At 09:00, Monday through Friday (UTC)');
    expect(cron('0 */6 * * *')).toBe('On the hour, every 6 hours (UTC)');
    expect(cron('0 0 L * *')).toBe(
      'At 00:00, on the last day of the month (UTC)',
    );
    expect(cron('0 0 ? * 5L')).toBe(
      'At 00:00, on the last Friday of the month (UTC)',
    );
  });

  it('says "and" when day of month and day of week are both restricted (either matches)', () => {
    expect(cron('0 0 13 * 5')).toBe(
      'At 00:00, on day 13 of the month, and on Friday (UTC)',
    );
  });

  it('says a one-shot at its instant, in UTC', () => {
    expect(
      describeSchedule({ type: 'at', at: '2027-01-01T09:00:00.000Z' }),
    ).toBe('Once at 2027-01-01T09:00:00.000Z (UTC)');
  });

  it('says a delay at the instant it was fixed to, and how long after', () => {
    expect(
      describeSchedule({
        type: 'delay',
        delay: 'PT5M',
        at: '2027-01-01T09:05:00.000Z',
      }),
    ).toBe(
      'Once at 2027-01-01T09:05:00.000Z (UTC), 5 minutes after it was set',
    );
  });

  it('falls back to the raw expression when it has no words for it', () => {
    expect(cron('not a cron')).toBe('cron not a cron (UTC)');
  });
});

describe('describeDelay', () => {
  it('spells each unit, singular or plural, largest first', () => {
    expect(describeDelay('PT90S')).toBe('1 minute 30 seconds');
    expect(describeDelay('P1DT2H')).toBe('1 day 2 hours');
    expect(describeDelay('PT1.5S')).toBe('1 second 500 milliseconds');
    expect(describeDelay('P1W')).toBe('7 days');
  });
});
