/**
 * The lateness chart's maths, kept apart from React so it is unit-tested on its own:
 * lateness and its summary (nearest-rank percentiles), the two scales, and the ticks.
 * Lateness is `firedAt − scheduledAt` as the API answered both; nothing here computes a
 * schedule time.
 */

/** Promise 2 of the architecture: every occurrence fires within ±10 s of its time. */
export const PROMISE_MS = 10_000;

/** One fired execution on the chart. */
export interface LatenessPoint {
  id: string;
  scheduledMs: number;
  latenessMs: number;
}

export interface LatenessSummary {
  /** Fired executions summarised. */
  runs: number;
  /** Null when there are no runs. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** The largest lateness (the latest fire); null when there are no runs. */
  maxMs: number | null;
  /** Runs more than PROMISE_MS early or late. */
  outside: number;
}

export function latenessMs(scheduledAt: string, firedAt: string): number {
  return new Date(firedAt).getTime() - new Date(scheduledAt).getTime();
}

/** The fired executions (those with a firedAt), oldest scheduled first. */
export function latenessPoints(
  executions: readonly {
    id: string;
    scheduledAt: string;
    firedAt: string | null;
  }[],
): LatenessPoint[] {
  const points: LatenessPoint[] = [];
  for (const e of executions)
    if (e.firedAt !== null)
      points.push({
        id: e.id,
        scheduledMs: new Date(e.scheduledAt).getTime(),
        latenessMs: latenessMs(e.scheduledAt, e.firedAt),
      });
  return points.sort((a, b) => a.scheduledMs - b.scheduledMs);
}

export function isOutsidePromise(ms: number): boolean {
  return Math.abs(ms) > PROMISE_MS;
}

/**
 * Nearest-rank percentile: the smallest observed value with at least p % of the values
 * at or below it. Always one of the values (no interpolation), so "p99 = 12 ms" is a run
 * that happened. Null for no values.
 */
export function percentile(
  values: readonly number[],
  p: number,
): number | null {
  if (values.length === 0) return null;
  if (p <= 0 || p > 100 || Number.isNaN(p))
    throw new RangeError(`percentile: p must be in (0, 100], not ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(rank, 1) - 1] ?? null;
}

export function summarizeLateness(
  latencies: readonly number[],
): LatenessSummary {
  return {
    runs: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length === 0 ? null : Math.max(...latencies),
    outside: latencies.filter(isOutsidePromise).length,
  };
}

/** `12 ms`, `1.234 s`, `10 s`, `-3 ms`: exact to the millisecond the API gives. */
export function formatMs(ms: number): string {
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${String(Number((ms / 1000).toFixed(3)))} s`;
}

/** `5 runs: p50 4 ms, p99 12 ms, max 12 ms; 0 outside ±10 s`. */
export function describeSummary(summary: LatenessSummary): string {
  const runs = `${summary.runs} ${summary.runs === 1 ? 'run' : 'runs'}`;
  if (
    summary.p50Ms === null ||
    summary.p99Ms === null ||
    summary.maxMs === null
  )
    return runs;
  return (
    `${runs}: p50 ${formatMs(summary.p50Ms)}, p99 ${formatMs(summary.p99Ms)}, ` +
    `max ${formatMs(summary.maxMs)}; ${summary.outside} outside ±${formatMs(PROMISE_MS)}`
  );
}

export type Scale = (value: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a domain of one value maps to the middle of the range. */
export function linearScale(
  [d0, d1]: readonly [number, number],
  [r0, r1]: readonly [number, number],
): Scale {
  if (d0 === d1) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * k;
}

/**
 * Lateness spans milliseconds (healthy) to seconds (the promise, a killed scheduler), so
 * the y axis is symmetric-logarithmic: sign(v)·log10(1 + |v| / 1 ms). Linear near 0,
 * one step per decade beyond, defined for early fires (negative) too. On a linear axis
 * wide enough to show the ±10 s band, every healthy run would sit on the zero line.
 */
export function symlog(ms: number): number {
  return Math.sign(ms) * Math.log10(1 + Math.abs(ms));
}

export function latenessScale(
  [lowMs, highMs]: readonly [number, number],
  range: readonly [number, number],
): Scale {
  const inner = linearScale([symlog(lowMs), symlog(highMs)], range);
  return (ms) => inner(symlog(ms));
}

/**
 * The y domain: from 0 (or twice the earliest fire, when one was early) to twice the
 * larger of the latest fire and the promise, so the band's upper edge always shows with
 * room above it, and every point is inside.
 */
export function latenessDomain(latencies: readonly number[]): [number, number] {
  const low = Math.min(0, ...latencies);
  const high = Math.max(PROMISE_MS, ...latencies);
  return [low * 2, high * 2];
}

/** 0 and the decades from 10 ms (±) inside the domain: 0, 10 ms, 100 ms, 1 s, 10 s, … */
export function latenessTicks([lowMs, highMs]: readonly [
  number,
  number,
]): number[] {
  const ticks = [0];
  for (let t = 10; t <= highMs; t *= 10) ticks.push(t);
  for (let t = 10; -t >= lowMs; t *= 10) ticks.unshift(-t);
  return ticks;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Tick steps a reader counts in: 1, 2, 5, 10, 15, 30 s; 1 … 30 min; 1 … 12 h; days. */
const TIME_STEPS_MS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
  91 * DAY,
  365 * DAY,
];

/**
 * The x domain: the first to the last scheduled time, widened by `padding` of the span
 * on each side (a lone point gets a minute around it), so no point sits on an edge.
 */
export function timeDomain(
  scheduledMs: readonly number[],
  padding = 0.04,
): [number, number] {
  if (scheduledMs.length === 0) return [0, 0];
  const first = Math.min(...scheduledMs);
  const last = Math.max(...scheduledMs);
  const pad = first === last ? 30 * SECOND : (last - first) * padding;
  return [first - pad, last + pad];
}

/**
 * Ticks on the time axis: the smallest step in TIME_STEPS_MS giving at most `maxTicks`
 * multiples of it (since the epoch, so in UTC) inside [start, end].
 */
export function timeTicks(
  [startMs, endMs]: readonly [number, number],
  maxTicks = 6,
): { stepMs: number; ticks: number[] } {
  const span = endMs - startMs;
  const stepMs =
    TIME_STEPS_MS.find((step) => span / step <= maxTicks) ??
    Math.ceil(span / maxTicks / (365 * DAY)) * 365 * DAY;
  const ticks: number[] = [];
  for (let t = Math.ceil(startMs / stepMs) * stepMs; t <= endMs; t += stepMs)
    ticks.push(t);
  return { stepMs, ticks };
}
