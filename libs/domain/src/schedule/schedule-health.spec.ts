import { ValidationError } from '../errors';
import {
  type HealthFacts,
  parseSilentAfter,
  scheduleHealth,
} from './schedule-health';

const now = new Date('2027-01-10T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const facts = (over: Partial<HealthFacts> = {}): HealthFacts => ({
  status: 'active',
  createdAt: hoursAgo(100),
  silentAfterMs: 25 * 3_600_000,
  lastSuccessAt: hoursAgo(1),
  lastFinishedStatus: 'succeeded',
  overdueSince: null,
  ...over,
});

describe('scheduleHealth', () => {
  it('is healthy when the last run succeeded recently and nothing is overdue', () => {
    expect(scheduleHealth(facts(), now).state).toBe('healthy');
  });

  it('is silent when nothing succeeded within silentAfter, from creation when never', () => {
    expect(scheduleHealth(facts({ lastSuccessAt: hoursAgo(26) }), now)).toEqual(
      {
        state: 'silent',
        reason: `no occurrence has succeeded since ${hoursAgo(26).toISOString()}`,
      },
    );
    expect(
      scheduleHealth(
        facts({ lastSuccessAt: null, lastFinishedStatus: null }),
        now,
      ).state,
    ).toBe('silent');
    expect(
      scheduleHealth(
        facts({
          lastSuccessAt: null,
          lastFinishedStatus: null,
          createdAt: hoursAgo(2),
        }),
        now,
      ).state,
    ).toBe('healthy');
  });

  it('asks nothing of a schedule without silentAfter, or one not active', () => {
    expect(
      scheduleHealth(
        facts({ silentAfterMs: null, lastSuccessAt: hoursAgo(1000) }),
        now,
      ).state,
    ).toBe('healthy');
    expect(
      scheduleHealth(
        facts({
          status: 'paused',
          lastSuccessAt: hoursAgo(1000),
          overdueSince: hoursAgo(1),
        }),
        now,
      ).state,
    ).toBe('healthy');
  });

  it('is failing while the latest finished execution failed or timed out', () => {
    for (const status of ['failed', 'result_timeout'])
      expect(
        scheduleHealth(facts({ lastFinishedStatus: status }), now).state,
      ).toBe('failing');
    expect(
      scheduleHealth(
        facts({ status: 'paused', lastFinishedStatus: 'failed' }),
        now,
      ).state,
    ).toBe('failing');
  });

  it('is late once an unfired occurrence is more than 10 s overdue', () => {
    const overdue = (ms: number) => new Date(now.getTime() - ms);
    expect(
      scheduleHealth(facts({ overdueSince: overdue(10_000) }), now).state,
    ).toBe('healthy');
    expect(
      scheduleHealth(facts({ overdueSince: overdue(10_001) }), now).state,
    ).toBe('late');
  });

  it('says the worst: silent over failing over late', () => {
    const all = facts({
      lastSuccessAt: hoursAgo(30),
      lastFinishedStatus: 'failed',
      overdueSince: hoursAgo(1),
    });
    expect(scheduleHealth(all, now).state).toBe('silent');
    expect(
      scheduleHealth({ ...all, lastSuccessAt: hoursAgo(1) }, now).state,
    ).toBe('failing');
    expect(
      scheduleHealth(
        { ...all, lastSuccessAt: hoursAgo(1), lastFinishedStatus: 'succeeded' },
        now,
      ).state,
    ).toBe('late');
  });
});

describe('parseSilentAfter', () => {
  it('reads an ISO duration from PT10S to P366D into ms, and null as none', () => {
    expect(parseSilentAfter('PT10S')).toBe(10_000);
    expect(parseSilentAfter('PT1H30M')).toBe(5_400_000);
    expect(parseSilentAfter('P366D')).toBe(366 * 86_400_000);
    expect(parseSilentAfter(null)).toBeNull();
  });

  it('refuses what is out of range or not a duration, naming the field', () => {
    for (const bad of ['PT9S', 'P367D', 'P1M', 'soon', 60, ''])
      expect(() => parseSilentAfter(bad)).toThrow(ValidationError);
    expect(() => parseSilentAfter('PT1S')).toThrow(
      'silentAfter: must be from PT10S to P366D (got "PT1S")',
    );
  });
});
