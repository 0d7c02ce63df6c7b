import type { PeersReport } from '../peers/peers-report';
import { runHarness, SMOKE_TIMEOUT_MS, writtenJson } from './run-harness';

describe('npm run bench -- --peers, smoke sized', () => {
  it(
    'delivers every job of scheduleman and of each peer once, with the same body',
    async () => {
      const { code, output } = await runHarness([
        'bench',
        '--peers',
        '--smoke',
      ]);
      const report = writtenJson(output) as PeersReport & {
        problems: string[];
      };
      expect(report.problems).toEqual([]);
      expect(report.machine.postgres).toMatch(
        /fsync on, full_page_writes on, synchronous_commit on/,
      );
      const systems = ['scheduleman', 'graphile-worker', 'pg-boss', 'bullmq'];
      expect(report.runs.map((r) => r.system).sort()).toEqual(
        [...systems].sort(),
      );
      const ours = report.runs.find((r) => r.system === 'scheduleman');
      for (const run of report.runs) {
        expect({
          system: run.system,
          processes: run.processes,
          received: run.evaluation.received,
          missing: run.evaluation.missing,
          unexpected: run.evaluation.unexpected,
          underTwoKeys: run.evaluation.duplicatesWithDifferentKeys,
          errors: run.errors,
        }).toEqual({
          system: run.system,
          processes: 2,
          received: 100,
          missing: 0,
          unexpected: 0,
          underTwoKeys: 0,
          errors: [],
        });
        expect(run.workerCpuSeconds).toBeGreaterThan(0);
        // The same delivery on the wire: within 10 % of scheduleman's body.
        expect(
          Math.abs(
            (run.bodyBytesPerDelivery ?? 0) - (ours?.bodyBytesPerDelivery ?? 0),
          ),
        ).toBeLessThan((ours?.bodyBytesPerDelivery ?? 0) * 0.1);
      }
      expect(output).toMatch(/p99 \(÷ best peer\)/);
      // The creation phase: scheduleman's bulk and single creation against their targets.
      expect(
        report.creations.map((c) => ({ target: c.target, system: c.system })),
      ).toEqual([
        { target: 20_000, system: 'scheduleman' },
        { target: 3_000, system: 'scheduleman' },
      ]);
      for (const c of report.creations) {
        expect(c.perSecond).toBeGreaterThan(0);
        expect(c.apiCpuMsPerSchedule).toBeGreaterThan(0);
      }
      expect(output).toMatch(/creation\/s +\| \d+ +\| 20000 \(target\)/);
      expect({ code, output }).toMatchObject({ code: 0 });
    },
    SMOKE_TIMEOUT_MS,
  );
});
