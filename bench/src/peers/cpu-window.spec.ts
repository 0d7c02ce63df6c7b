import { cpuBetween, type CpuSample, measuredWindow } from './cpu-window';

const samples = (rows: [number, ...(number | undefined)[]][]): CpuSample[] =>
  rows.map(([atMs, ...seconds]) => ({ atMs, seconds }));

describe('measuredWindow', () => {
  it('runs from the first due time to the last arrival, widened by the margin on each side', () => {
    expect(
      measuredWindow(
        { firstDueMs: 10_000, lastArrivalMs: 14_000, missing: 0 },
        20_000,
        1_000,
      ),
    ).toEqual({ fromMs: 9_000, toMs: 15_000 });
  });

  it('ends where the harness stopped waiting when deliveries are missing', () => {
    expect(
      measuredWindow(
        { firstDueMs: 10_000, lastArrivalMs: 14_000, missing: 3 },
        25_000,
        1_000,
      ),
    ).toEqual({ fromMs: 9_000, toMs: 25_000 });
  });

  it('gives no window when nothing was due', () => {
    expect(
      measuredWindow({ firstDueMs: undefined, missing: 0 }, 1_000),
    ).toBeUndefined();
  });
});

describe('cpuBetween', () => {
  const cpu = samples([
    [0, 10, 1],
    [1_000, 11, 1],
    [2_000, 13, 1],
    [3_000, 13, 4],
  ]);

  it('counts only what a counter used inside the window, not before it', () => {
    expect(cpuBetween(cpu, 0, 1_000, 2_000)).toBeCloseTo(2);
    expect(cpuBetween(cpu, 1, 0, 2_000)).toBeCloseTo(0);
  });

  it('interpolates between the samples around each edge', () => {
    expect(cpuBetween(cpu, 0, 500, 1_500)).toBeCloseTo(0.5 + 1);
  });

  it('clamps a window that reaches past the samples to the first and last', () => {
    expect(cpuBetween(cpu, 1, -5_000, 9_000)).toBeCloseTo(3);
  });

  it('keeps the last reading of a process that has gone', () => {
    const gone = samples([
      [0, 5],
      [1_000, 7],
      [2_000, undefined],
    ]);
    expect(cpuBetween(gone, 0, 0, 2_000)).toBeCloseTo(2);
  });

  it('gives nothing for a counter that never read', () => {
    expect(cpuBetween(samples([[0, undefined]]), 0, 0, 1_000)).toBeUndefined();
  });
});
