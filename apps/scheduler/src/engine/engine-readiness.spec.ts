import { type EngineStats, engineReadiness } from './engine-readiness';

const NOW = new Date('2030-01-01T00:00:10.000Z');
const stats: EngineStats = {
  running: true,
  lastRoundAt: new Date('2030-01-01T00:00:09.000Z'),
  consecutiveFailures: 0,
  held: 3,
  inFlight: 1,
  queuedOutcomes: 2,
  clockOffsetMs: 12.4,
  listening: true,
};

describe('engineReadiness', () => {
  it('is ready while the loop runs and its last round is recent', () => {
    expect(engineReadiness(stats, NOW, 500)).toEqual({
      ready: true,
      details: {
        running: true,
        lastRoundAgoMs: 1_000,
        consecutiveFailures: 0,
        held: 3,
        inFlight: 1,
        queuedOutcomes: 2,
        clockOffsetMs: 12,
        listening: true,
      },
    });
  });

  it('is not ready before the first round, after stop, or when rounds stopped succeeding', () => {
    expect(
      engineReadiness({ ...stats, lastRoundAt: undefined }, NOW, 500).ready,
    ).toBe(false);
    expect(engineReadiness({ ...stats, running: false }, NOW, 500).ready).toBe(
      false,
    );
    const stale = new Date(NOW.getTime() - 5_001);
    expect(
      engineReadiness({ ...stats, lastRoundAt: stale }, NOW, 500).ready,
    ).toBe(false);
  });

  it('allows ten missed rounds when the poll interval is long', () => {
    const lastRoundAt = new Date(NOW.getTime() - 19_000);
    expect(engineReadiness({ ...stats, lastRoundAt }, NOW, 2_000).ready).toBe(
      true,
    );
  });
});
