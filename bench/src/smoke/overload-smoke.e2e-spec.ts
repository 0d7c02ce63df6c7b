import type { HerdDrain } from '../pressure/herd-drain';
import type { OverloadVerdict } from '../pressure/overload-command';
import { runHarness, SMOKE_TIMEOUT_MS, writtenJson } from './run-harness';

describe('npm run chaos -- --overload, smoke sized', () => {
  it(
    'drains a probe burst and a within-capacity burst with three schedulers and a CPU hog: nothing missed, nothing under two keys',
    async () => {
      const { code, output } = await runHarness([
        'chaos',
        '--overload',
        '--smoke',
      ]);
      const report = writtenJson(output) as {
        drains: HerdDrain[];
        verdict: OverloadVerdict;
      };
      expect(report.drains.map((d) => [d.phase, d.schedulers])).toEqual([
        ['probe', 3],
        ['within capacity', 3],
      ]);
      const [probe, within] = report.drains;
      expect(probe.evaluation.expected).toBe(2_000);
      // The second burst is sized from the probe's measured rate, within the smoke bounds.
      expect(within.evaluation.expected).toBeGreaterThanOrEqual(200);
      expect(within.evaluation.expected).toBeLessThanOrEqual(2_000);
      for (const drain of report.drains) {
        expect(drain.evaluation.missing).toBe(0);
        // At-least-once: repeats are allowed, but only under the occurrence's one key.
        expect(drain.evaluation.duplicatesWithDifferentKeys).toBe(0);
        expect(drain.evaluation.latenessMs.p99).toEqual(expect.any(Number));
      }
      expect(report.verdict).toMatchObject({
        missed: 0,
        underTwoKeys: 0,
        crashes: [],
      });
      expect(report.verdict.capacityPerSecond).toBeGreaterThan(0);
      // The lateness and size parts of the verdict depend on the machine's load at smoke
      // size (judged by the full run); the exit code must follow the verdict.
      expect({ code, output }).toMatchObject({
        code: report.verdict.kept ? 0 : 1,
      });
    },
    SMOKE_TIMEOUT_MS,
  );
});
