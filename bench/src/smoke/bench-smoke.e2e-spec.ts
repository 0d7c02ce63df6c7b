import type { Evaluation } from '../stats/evaluate';
import {
  expectKeptPromises,
  runHarness,
  SMOKE_TIMEOUT_MS,
  writtenJson,
} from './run-harness';

describe('npm run bench, smoke sized', () => {
  it(
    'delivers every occurrence of every workload, repeats only under the same key',
    async () => {
      const { code, output } = await runHarness(['bench', '--smoke']);
      const report = writtenJson(output) as {
        runs: {
          workload: string;
          evaluation: Evaluation;
          unexpectedExits: string[];
        }[];
        ceilings: { claim?: unknown; http?: unknown };
      };
      expect(report.runs.map((r) => r.workload)).toEqual([
        'burst',
        'spread',
        'cron',
        'scale-10k',
      ]);
      for (const run of report.runs) {
        expectKeptPromises(run.evaluation);
        expect(run.unexpectedExits).toEqual([]);
      }
      // The ceilings ran the scheduler's own SQL and webhook client.
      expect(report.ceilings.claim).toBeDefined();
      expect(report.ceilings.http).toBeDefined();
      expect({ code, output }).toMatchObject({ code: 0 });
    },
    SMOKE_TIMEOUT_MS,
  );
});
