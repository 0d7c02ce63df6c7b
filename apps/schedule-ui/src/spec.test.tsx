import { describe, expect, it } from 'vitest';
import { describeSpec, scheduleZone } from './spec';

describe('scheduleZone', () => {
  it('is the cron timezone, UTC when a cron has none, and UTC for one-shots', () => {
    expect(
      scheduleZone({
        type: 'cron',
        expression: '0 9 * * *',
        timezone: 'Asia/Tokyo',
      }),
    ).toBe('Asia/Tokyo');
    expect(scheduleZone({ type: 'cron', expression: '0 9 * * *' })).toBe('UTC');
    expect(scheduleZone({ type: 'delay', delay: 'PT5M' })).toBe('UTC');
  });
});

describe('describeSpec', () => {
  it('names the kind and the raw spec', () => {
    expect(
      describeSpec({
        type: 'cron',
        expression: '0 9 * * *',
        timezone: 'Europe/Paris',
      }),
    ).toBe('cron 0 9 * * * (Europe/Paris)');
    expect(describeSpec({ type: 'at', at: '2027-01-01T00:00:00Z' })).toBe(
      'at 2027-01-01T00:00:00Z',
    );
    expect(describeSpec({ type: 'delay', delay: 'PT5M' })).toBe('delay PT5M');
  });
});
