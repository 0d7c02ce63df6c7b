import type { RunResult } from '../runner/run-workload';
import {
  CreationSample,
  creationTable,
  median,
  rotated,
  SecurityCostReport,
  securityCostProblems,
  SigningSample,
  signingTable,
  withRatio,
} from './security-cost-report';

function creation(
  variant: string,
  round: number,
  perSecond: number,
  owners: (string | null)[] = [null],
): CreationSample {
  return {
    variant,
    round,
    count: 100,
    perSecond,
    failures: 0,
    apiCpuMsPerCreation: perSecond / 1000,
    owners,
  };
}

function signing(
  variant: string,
  round: number,
  firesPerSecond: number,
  counts: { requests: number; signed: number; signatures: number },
  expectedSignatures = counts.requests
    ? counts.signatures / counts.requests
    : 0,
): SigningSample {
  const run = {
    firesPerSecond,
    evaluation: { received: 1_000, latenessMs: { p50: 100, p99: 200 } },
    processes: [{ name: 'scheduler-1', cpuSeconds: 0.5, peakRssMb: 100 }],
  } as unknown as RunResult;
  return { variant, round, expectedSignatures, run, ...counts };
}

/** The cells of the table row that starts with `variant`. */
function row(table: string, variant: string): string[] {
  const line = table.split('\n').find((l) => l.startsWith(`| ${variant} `));
  if (!line) throw new Error(`no row ${variant} in\n${table}`);
  return line
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('median and rotated', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('rotates which variant goes first, round by round', () => {
    const variants = ['a', 'b', 'c'];
    expect([0, 1, 2, 3].map((r) => rotated(variants, r).join(''))).toEqual([
      'abc',
      'bca',
      'cab',
      'abc',
    ]);
  });

  it('shows a figure with its ratio to the baseline, none against zero', () => {
    expect(withRatio(900, 1_000)).toBe('900 (0.90 ×)');
    expect(withRatio(2, 0, 2)).toBe('2.00');
    expect(withRatio(undefined, 1_000)).toBe('-');
  });
});

describe('creationTable', () => {
  it('gives every variant its rounds, its median against the first variant and the paired ratios', () => {
    const table = creationTable([
      creation('auth off', 1, 1_000),
      creation('owner key', 1, 900),
      creation('owner key', 2, 800),
      creation('auth off', 2, 1_000),
    ]);
    expect(row(table, 'auth off').slice(1, 4)).toEqual([
      '1000, 1000',
      '1000 (1.00 ×)',
      '-',
    ]);
    expect(row(table, 'owner key').slice(1, 5)).toEqual([
      '900, 800',
      '850 (0.85 ×)',
      '0.80–0.90 ×',
      '0.850 (0.85 ×)',
    ]);
  });
});

describe('signingTable', () => {
  it('shows signatures per delivery without a ratio, and fires/s with one', () => {
    const table = signingTable([
      signing('unsigned', 1, 5_000, { requests: 10, signed: 0, signatures: 0 }),
      signing('signed', 1, 4_500, { requests: 10, signed: 10, signatures: 20 }),
    ]);
    expect(row(table, 'signed').slice(1, 5)).toEqual([
      '4500',
      '4500 (0.90 ×)',
      '0.90 ×',
      '2.00',
    ]);
    expect(row(table, 'signed')[6]).toBe('200 (1.00 ×)');
  });
});

describe('securityCostProblems', () => {
  const report = (
    creations: CreationSample[],
    signings: SigningSample[],
  ): SecurityCostReport => ({
    startedAt: '',
    machine: {},
    command: '',
    wallSeconds: 0,
    creation: creations,
    firePath: [],
    signing: signings,
  });

  it('accepts owner-bound creations and deliveries signed as configured', () => {
    expect(
      securityCostProblems(
        report(
          [creation('owner key', 1, 1, ['team'])],
          [
            signing(
              'unsigned',
              1,
              1,
              { requests: 5, signed: 0, signatures: 0 },
              0,
            ),
            signing(
              'signed',
              1,
              1,
              { requests: 5, signed: 5, signatures: 10 },
              2,
            ),
          ],
        ),
        'owner key',
        'team',
      ),
    ).toEqual([]);
  });

  it('names a creation under another owner and a delivery missing a signature', () => {
    const problems = securityCostProblems(
      report(
        [creation('owner key', 1, 1, [null])],
        [signing('signed', 2, 1, { requests: 5, signed: 4, signatures: 8 }, 2)],
      ),
      'owner key',
      'team',
    );
    expect(problems).toEqual([
      expect.stringMatching(/owner key, round 1: owners \[null\]/),
      expect.stringMatching(/signed, round 2: 4 of 5 deliveries signed/),
    ]);
  });
});
