import {
  bestPeer,
  type PeerRun,
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
