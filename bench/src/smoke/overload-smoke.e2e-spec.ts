import type { PressureRun } from '../pressure/pressure-command';
import { runHarness, SMOKE_TIMEOUT_MS, writtenJson } from './run-harness';

describe('npm run chaos -- --overload, smoke sized', () => {
  it(
    'drains a burst with three schedulers and a CPU hog: nothing missed, nothing under two keys',
    async () => {
      const { code, output } = await runHarness([
        'chaos',
        '--overload',
        '--smoke',
      ]);
      const report = writtenJson(output) as { runs: PressureRun[] };
      expect(report.runs.map((r) => r.schedulers)).toEqual([3]);
      const [run] = report.runs;
      expect(run.evaluation.expected).toBe(2_000);
      expect(run.evaluation.missing).toBe(0);
      // At-least-once: repeats are allowed, but only under the occurrence's one key.
      expect(run.evaluation.duplicatesWithDifferentKeys).toBe(0);
      expect(run.evaluation.latenessMs.p99).toEqual(expect.any(Number));
      expect(run.crashes).toEqual([]);
      expect({ code, output }).toMatchObject({ code: 0 });
    },
    SMOKE_TIMEOUT_MS,
  );
});
