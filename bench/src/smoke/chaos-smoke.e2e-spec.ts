import type { Evaluation } from '../stats/evaluate';
import {
  expectKeptPromises,
  runHarness,
  SMOKE_TIMEOUT_MS,
  writtenJson,
} from './run-harness';

describe('npm run chaos, smoke sized', () => {
  it(
    'loses nothing through a scheduler kill, a database restart and a freeze longer than the lease',
    async () => {
      // --own-db: the chaos run restarts its database server, which must not be the shared one.
      const { code, output } = await runHarness([
        'chaos',
        '--smoke',
        '--own-db',
      ]);
      const report = writtenJson(output) as {
        evaluation: Evaluation;
        events: { what: string }[];
        crashes: string[];
      };
      const events = report.events.map((e) => e.what).join('\n');
      expect(events).toMatch(/SIGKILL scheduler/);
      expect(events).toMatch(/restarted the database server/);
      expect(events).toMatch(/SIGSTOP scheduler/);
      expectKeptPromises(report.evaluation);
      expect(report.crashes).toEqual([]);
      expect({ code, output }).toMatchObject({ code: 0 });
    },
    SMOKE_TIMEOUT_MS,
  );
});
