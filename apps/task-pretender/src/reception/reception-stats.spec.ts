import { ReceptionStats } from './reception-stats';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');

function stats(maxTrackedKeys = 100) {
  return new ReceptionStats({ maxTrackedKeys, maxLatenessSamples: 100 }, T0);
}

describe('ReceptionStats', () => {
  it('measures lateness at the first arrival of a key and counts later arrivals as duplicates', () => {
    const s = stats();
    s.record({
      key: 'a',
      scheduledAtMs: T0,
      arrivalMs: T0 + 40,
      accepted: false,
    });
    s.record({
      key: 'a',
      scheduledAtMs: T0,
      arrivalMs: T0 + 2_000,
      accepted: true,
    });
    s.record({
      key: 'b',
      scheduledAtMs: T0,
      arrivalMs: T0 + 10,
      accepted: true,
    });

    const snap = s.snapshot();
    expect(snap).toMatchObject({
      received: 3,
      unique: 2,
      duplicates: 1,
      redelivered: 0,
      accepted: 2,
      rejected: 1,
    });
    expect(snap.lateness).toMatchObject({ count: 2, max: 40, min: 10 });
    expect(s.get('a')).toEqual({
      count: 2,
      accepted: 1,
      latenessMs: 40,
      firstArrivalMs: T0 + 40,
    });
  });

  it('counts a key accepted twice as redelivered', () => {
    const s = stats();
    expect(
      s.record({ key: 'a', scheduledAtMs: T0, arrivalMs: T0, accepted: true })
        .redelivered,
    ).toBe(false);
    expect(
      s.record({ key: 'a', scheduledAtMs: T0, arrivalMs: T0, accepted: true })
        .redelivered,
    ).toBe(true);

    expect(s.snapshot()).toMatchObject({ duplicates: 1, redelivered: 1 });
  });

  it('counts webhooks without a key or a scheduled time without inventing lateness', () => {
    const s = stats();
    s.record({
      key: undefined,
      scheduledAtMs: T0,
      arrivalMs: T0,
      accepted: true,
    });
    s.record({ key: 'c', scheduledAtMs: NaN, arrivalMs: T0, accepted: true });

    expect(s.snapshot()).toMatchObject({
      received: 2,
      withoutKey: 1,
      unique: 1,
      lateness: { count: 0 },
    });
    expect(s.get('c')?.latenessMs).toBeNull();
  });

  it('forgets the oldest keys beyond its limit', () => {
    const s = stats(2);
    for (const key of ['a', 'b', 'c'])
      s.record({ key, scheduledAtMs: T0, arrivalMs: T0, accepted: true });

    expect(s.get('a')).toBeUndefined();
    expect(s.recentKeys(10).map(([key]) => key)).toEqual(['b', 'c']);
    expect(s.snapshot()).toMatchObject({ unique: 3, trackedKeys: 2 });
  });

  it('starts over on reset', () => {
    const s = stats();
    s.record({ key: 'a', scheduledAtMs: T0, arrivalMs: T0, accepted: true });
    s.reset(T0 + 1000);

    expect(s.snapshot()).toMatchObject({
      received: 0,
      unique: 0,
      since: '2030-01-01T00:00:01.000Z',
      lateness: { count: 0 },
    });
    expect(s.get('a')).toBeUndefined();
  });
});
