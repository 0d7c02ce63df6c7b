import type { CreationRound } from '../creation/creation-report';
import {
  bestPeer,
  creationFigures,
  creationTable,
  type PeerRun,
  type PeersReport,
  peerProblems,
  peersTable,
  SCHEDULEMAN,
  storeCpuSeconds,
  verdictsTable,
} from './peers-report';
import { forEachLimited } from './peer-job';

function run(
  system: string,
  p99: number,
  overrides: Partial<PeerRun> = {},
): PeerRun {
  return {
    system,
    workload: 'burst',
    processes: 1,
    evaluation: {
      expected: 100,
      received: 100,
      missing: 0,
      missingSample: [],
      unexpected: 0,
      foreign: 0,
      duplicateDeliveries: 0,
      duplicatesWithDifferentKeys: 0,
      latenessMs: { count: 100, p50: p99 / 2, p99, max: p99 },
      outsideBound: 0,
    },
    firesPerSecond: 100_000 / p99,
    drainMs: p99,
    enqueuePerSecond: 1_000,
    enqueueMethod: 'bulk',
    workerCpuSeconds: 1,
    postgresCpuSeconds: 0.5,
    errors: [],
    ...overrides,
  };
}

describe('the peers report', () => {
  const runs = [
    run(SCHEDULEMAN, 1_500),
    run('pg-boss', 2_000),
    run('bullmq', 3_000),
  ];

  it('takes the lowest lateness and the highest rate among peers only, as the best', () => {
    const p99 = (r: PeerRun) => r.evaluation.latenessMs.p99;
    expect(bestPeer(runs, p99, true)).toBe(2_000);
    expect(bestPeer(runs, (r) => r.firesPerSecond, false)).toBe(50);
  });

  it('ignores a peer whose run failed when choosing the best', () => {
    const broken = run('graphile-worker', 10, { errors: ['crashed'] });
    const p99 = (r: PeerRun) => r.evaluation.latenessMs.p99;
    expect(bestPeer([...runs, broken], p99, true)).toBe(2_000);
  });

  it('prints each figure with its ratio to the best peer', () => {
    const table = peersTable(runs);
    // scheduleman's p99: 1500 ms against pg-boss's 2000 ms.
    expect(table).toMatch(/scheduleman .*1500 ms \(0\.75 ×\)/);
    expect(table).toMatch(/bullmq .*3000 ms \(1\.50 ×\)/);
  });

  it('says ahead or behind, with the best peer named', () => {
    const verdicts = verdictsTable(runs);
    expect(verdicts).toMatch(
      /burst p99, 1 process\(es\) +\| 1500 ms +\| 2000 ms \(pg-boss\) +\| 0\.75 × +\| ahead/,
    );
    const behind = verdictsTable([run(SCHEDULEMAN, 4_000), ...runs.slice(1)]);
    expect(behind).toMatch(/4000 ms .*2\.00 × +\| behind/);
  });

  const round = (
    kind: CreationRound['kind'],
    perSecond: number,
    apiCpuMsPerSchedule: number,
  ): CreationRound => ({
    kind,
    round: 1,
    created: 1_000,
    failures: 0,
    perSecond,
    apiCpuMsPerSchedule,
    pgCpuMsPerSchedule: apiCpuMsPerSchedule / 2,
  });
  const creations = creationFigures(
    [
      round('bulk', 8_000, 0.05),
      round('single', 900, 0.7),
      round('bulk', 12_000, 0.03),
      round('single', 1_100, 0.5),
    ],
    1_000,
  );

  it('prints bulk and single creation as medians against their targets, with their CPU', () => {
    expect(creations.map((c) => [c.perSecond, c.target])).toEqual([
      [10_000, 20_000],
      [1_000, 3_000],
    ]);
    const report: PeersReport = {
      startedAt: '',
      machine: {},
      command: '',
      wallSeconds: 0,
      peers: [],
      runs,
      creations,
    };
    const table = creationTable(report);
    expect(table).toMatch(
      /scheduleman +\| bulk \(POST \/schedules\/batch, 1000 per request, 1 in flight\) +\| 10000\/s \(0\.50 × target\) +\| 0\.040 \/ 0\.020 +\|/,
    );
    expect(table).toMatch(
      /single \(POST \/schedules, 50 in flight\) +\| 1000\/s \(0\.33 × target\) +\| 0\.600 \/ 0\.300/,
    );
    // The workloads' enqueue rates stay in the table, with no target.
    expect(table).toMatch(/pg-boss +\| bulk +\| 1000\/s +\| - +\|/);
  });

  it('gives creation a verdict against its target in the summary', () => {
    const verdicts = verdictsTable(runs, creations);
    expect(verdicts).toMatch(
      /bulk \(POST \/schedules\/batch.*creation\/s +\| 10000 +\| 20000 \(target\) +\| 0\.50 × +\| missed/,
    );
    const met = creationFigures([round('single', 3_000, 0.3)], 1_000);
    expect(verdictsTable(runs, met)).toMatch(
      /3000 +\| 3000 \(target\) +\| 1\.00 × +\| met/,
    );
    expect(verdictsTable(runs)).not.toMatch(/creation/);
  });

  it('counts Redis as the store of a peer without PostgreSQL', () => {
    expect(
      storeCpuSeconds(
        run('bullmq', 1, {
          postgresCpuSeconds: undefined,
          redisCpuSeconds: 2,
        }),
      ),
    ).toBe(2);
  });

  it('reports a run that lost jobs or delivered one under two keys', () => {
    const lossy = run('pg-boss', 1);
    lossy.evaluation = {
      ...lossy.evaluation,
      received: 98,
      missing: 2,
      missingSample: ['a@t'],
      duplicatesWithDifferentKeys: 1,
    };
    expect(peerProblems(lossy)).toEqual([
      'pg-boss burst/1: 2 of 100 never arrived (a@t)',
      'pg-boss burst/1: 1 delivered under two keys',
    ]);
    expect(peerProblems(run('bullmq', 1))).toEqual([]);
  });
});

describe('forEachLimited', () => {
  it('runs every item with no more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push(n);
      running--;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });
});
