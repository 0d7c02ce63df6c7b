import {
  type CreationReport,
  creationProblems,
  creationVerdict,
  summarizeCreation,
} from './creation-report';

function report(overrides: Partial<CreationReport> = {}): CreationReport {
  return {
    startedAt: '2026-12-03T09:00:00.000Z',
    machine: {},
    command: 'npm run bench -- --creation',
    wallSeconds: 60,
    batchSize: 1000,
    creation: [
      {
        kind: 'bulk',
        round: 1,
        created: 5000,
        failures: 0,
        perSecond: 10_000,
        apiCpuMsPerSchedule: 0.05,
      },
      {
        kind: 'bulk',
        round: 2,
        created: 5000,
        failures: 0,
        perSecond: 30_000,
        apiCpuMsPerSchedule: 0.05,
      },
      {
        kind: 'bulk',
        round: 3,
        created: 5000,
        failures: 0,
        perSecond: 12_000,
        apiCpuMsPerSchedule: 0.05,
      },
      {
        kind: 'single',
        round: 1,
        created: 3000,
        failures: 0,
        perSecond: 1_500,
        apiCpuMsPerSchedule: 0.5,
      },
    ],
    framework: [
      { platform: 'express', round: 1, perSecond: 6_000, failed: 0 },
      { platform: 'fastify', round: 1, perSecond: 9_000, failed: 0 },
    ],
    ...overrides,
  };
}

describe('creation report', () => {
  it('takes the median round of each kind and platform', () => {
    expect(summarizeCreation(report())).toEqual({
      bulkPerSecond: 12_000,
      singlePerSecond: 1_500,
      expressPerSecond: 6_000,
      fastifyPerSecond: 9_000,
    });
  });

  it('states each figure as a ratio to its target and the platforms against each other', () => {
    const [bulk, single, framework] = creationVerdict(
      summarizeCreation(report()),
    );
    expect(bulk).toMatch(
      /12000 schedules\/s = 0\.60 × the 20000\/s target \(missed\)/,
    );
    expect(single).toMatch(/1500\/s = 0\.50 × the 3000\/s target \(missed\)/);
    expect(framework).toMatch(
      /Express 6000\/s, Fastify 9000\/s = 1\.50 × Express/,
    );
    expect(framework).toMatch(/single creation = 0\.25 × the Express ceiling/);
  });

  it('says met when a target is reached, and - when nothing was measured', () => {
    const [bulk, single] = creationVerdict({
      bulkPerSecond: 20_000,
      singlePerSecond: undefined,
    });
    expect(bulk).toMatch(/1\.00 × .*\(met\)/);
    expect(single).toMatch(/: -\/s = - the 3000\/s target \(missed\)/);
  });

  it('reports failed creations and calls as problems', () => {
    const broken = report();
    broken.creation[0] = {
      ...broken.creation[0],
      failures: 2,
      firstFailure: '500',
    };
    broken.framework[1] = {
      ...broken.framework[1],
      failed: 1,
      firstError: 'reset',
    };
    expect(creationProblems(broken)).toEqual([
      'bulk round 1: 2 failed (500)',
      'framework fastify round 1: 1 failed (reset)',
    ]);
    expect(creationProblems(report())).toEqual([]);
  });
});
