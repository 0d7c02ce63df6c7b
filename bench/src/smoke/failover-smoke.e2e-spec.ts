import { ensurePatroni } from '../infra/patroni-install';
import { runHarness, SMOKE_TIMEOUT_MS, writtenJson } from './run-harness';

describe('npm run chaos -- --failover, smoke sized', () => {
  // Fails (never skips) when Patroni cannot be had: apt-get as root, else a clear error.
  beforeAll(() => ensurePatroni(), 300_000);

  it(
    'loses no acknowledged schedule and no occurrence when the primary node crashes',
    async () => {
      const { code, output } = await runHarness([
        'chaos',
        '--failover',
        '--smoke',
      ]);
      const report = writtenJson(output) as {
        events: string[];
        figures: {
          failoverMs: number;
          acknowledgedCreations: number;
          lostSchedules: number;
          expected: number;
          missed: number;
          duplicatesWithDifferentKeys: number;
          dueDuringFailover: number;
          lateDuring: number;
          outsideBoundElsewhere: number;
          crashes: string[];
        };
        ledger: { unaccounted: number };
      };
      const f = report.figures;
      expect(report.events.join('\n')).toMatch(
        /SIGKILL pg\d .*commits writes/s,
      );
      // The crash happened under load, and occurrences fell due while there was no primary.
      expect(f.failoverMs).toBeGreaterThan(0);
      expect(f.acknowledgedCreations).toBeGreaterThan(0);
      expect(f.dueDuringFailover).toBeGreaterThan(0);
      expect(f).toMatchObject({
        lostSchedules: 0,
        missed: 0,
        duplicatesWithDifferentKeys: 0,
        lateDuring: 0,
        outsideBoundElsewhere: 0,
        crashes: [],
      });
      expect(report.ledger.unaccounted).toBe(0);
      expect({ code, output }).toMatchObject({ code: 0 });
    },
    SMOKE_TIMEOUT_MS,
  );
});
