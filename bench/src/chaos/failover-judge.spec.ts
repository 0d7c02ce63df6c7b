import type { ReceiverStats } from '../receiver/receiver-stats';
import { judgeFailoverLateness, lostSchedules } from './failover-judge';

const span = { killedAtMs: 10_000, recoveredAtMs: 25_000 };

function stats(arrivals: [string, number, number][]): ReceiverStats {
  return {
    requests: arrivals.length,
    malformed: 0,
    occurrences: arrivals.map(([id, due, at]) => [id, due, at, 1, 1]),
  };
}

describe('judgeFailoverLateness', () => {
  it('allows an occurrence due during the failover the failover time plus 10 s', () => {
    const verdict = judgeFailoverLateness(
      { occurrences: new Map([['a', [12_000]]]) },
      stats([['a', 12_000, 12_000 + 24_999]]),
      span,
    );
    expect(verdict).toMatchObject({
      failoverMs: 15_000,
      boundDuringMs: 25_000,
      dueDuring: 1,
      deliveredDuring: 1,
      maxLatenessDuringMs: 24_999,
      lateDuring: 0,
    });
  });

  it('counts one due during the failover that came later than that', () => {
    const verdict = judgeFailoverLateness(
      { occurrences: new Map([['a', [12_000]]]) },
      stats([['a', 12_000, 12_000 + 25_001]]),
      span,
    );
    expect(verdict.lateDuring).toBe(1);
    expect(verdict.sample[0]).toContain('+25001 ms');
  });

  it('holds every other occurrence to ±10 s', () => {
    const verdict = judgeFailoverLateness(
      { occurrences: new Map([['a', [5_000, 40_000]]]) },
      stats([
        ['a', 5_000, 15_001],
        ['a', 40_000, 41_000],
      ]),
      span,
    );
    expect(verdict).toMatchObject({ dueDuring: 0, outsideBoundElsewhere: 1 });
  });

  it('leaves missing occurrences and those outside the window alone', () => {
    const verdict = judgeFailoverLateness(
      {
        occurrences: new Map([['a', [12_000, 90_000]]]),
        window: { fromMs: 0, toMs: 60_000 },
      },
      stats([['a', 90_000, 200_000]]),
      span,
    );
    expect(verdict).toMatchObject({
      dueDuring: 1,
      deliveredDuring: 0,
      lateDuring: 0,
      outsideBoundElsewhere: 0,
    });
  });
});

describe('lostSchedules', () => {
  it('names the acknowledged ids the database does not have', () => {
    expect(lostSchedules(['a', 'b', 'c'], new Set(['a', 'c']))).toEqual(['b']);
  });
});
