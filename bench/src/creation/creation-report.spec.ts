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
    batchesInFlight: 1,
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
      {
        platform: 'express',
        round: 1,
        perSecond: 6_000,
        cpuMsPerRequest: 0.2,
        failed: 0,
      },
      {
        platform: 'fastify',
        round: 1,
        perSecond: 9_000,
        cpuMsPerRequest: 0.1,
        failed: 0,
      },
      {
        platform: 'fastify',
        round: 2,
        perSecond: 1_000,
        cpuMsPerRequest: 0.1,
        failed: 0,
      },
      {
        platform: 'express',
        round: 2,
        perSecond: 2_000,
        cpuMsPerRequest: 0.2,
        failed: 0,
      },
      {
        platform: 'express',
        round: 3,
        perSecond: 6_000,
        cpuMsPerRequest: 0.2,
        failed: 0,
      },
      {
        platform: 'fastify',
        round: 3,
        perSecond: 7_200,
        cpuMsPerRequest: 0.1,
        failed: 0,
      },
    ],
    ...overrides,
  };
}

describe('creation report', () => {
  it('takes the median round of each kind and platform', () => {
    expect(summarizeCreation(report())).toEqual({
      batchesInFlight: 1,
      bulkPerSecond: 12_000,
      bulkApiCpuMs: 0.05,
      bulkPgCpuMs: undefined,
      singlePerSecond: 1_500,
      expressPerSecond: 6_000,
      fastifyPerSecond: 7_200,
      // 1.5, 0.5, 1.2: the paired ratios by round, whose median the noise moves least.
      fastifyToExpressPaired: 1.2,
      expressCpuMs: 0.2,
      fastifyCpuMs: 0.1,
      singleCpuMs: 0.5,
    });
  });

  it('states each figure as a ratio to its target and the platforms against each other', () => {
    const [bulk, single, framework, cpu] = creationVerdict(
      summarizeCreation(report()),
    );
    expect(bulk).toMatch(
      /12000 schedules\/s = 0\.60 × the 20000\/s target \(missed\)/,
    );
    expect(single).toMatch(/1500\/s = 0\.50 × the 3000\/s target \(missed\)/);
    expect(framework).toMatch(
      /Express 6000\/s, Fastify 7200\/s \(paired by round: Fastify = 1\.20 × Express\)/,
    );
    expect(framework).toMatch(/single creation = 0\.25 × the Express ceiling/);
    expect(cpu).toMatch(
      /Express 0\.200 ms, Fastify 0\.100 ms \(0\.50 × Express\); the API per single creation 0\.500 ms \(2\.50 × the bare Express request\)/,
    );
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
