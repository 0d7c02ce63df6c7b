import type { Clock } from '@scheduleman/domain';
import { sleep } from '@scheduleman/testkit';
import type { Evaluation } from '../stats/evaluate';

/**
 * Margin on each side of the measured window: the first due time minus this, to the last
 * arrival plus this. Long enough to hold a claim round before the due time and the last
 * outcomes recorded after the last delivery; the same for every system.
 */
export const CPU_WINDOW_MARGIN_MS = 1_000;

/** How often the sampler reads every process's CPU counter. */
export const CPU_SAMPLE_INTERVAL_MS = 200;

/** Cumulative CPU seconds of each counter at one instant; undefined once a process is gone. */
export interface CpuSample {
  atMs: number;
  seconds: readonly (number | undefined)[];
}

/**
 * The window every system's CPU is counted over (issue 14, flaw (a) of the first peers
 * run): from the first due time to the last arrival, widened by `marginMs` on each side,
 * so that neither the enqueueing nor an idle wait before the due time is counted for any
 * system. When deliveries are missing, the window ends where the harness stopped waiting.
 */
export function measuredWindow(
  evaluation: Pick<Evaluation, 'firstDueMs' | 'lastArrivalMs' | 'missing'>,
  waitEndedMs: number,
  marginMs = CPU_WINDOW_MARGIN_MS,
): { fromMs: number; toMs: number } | undefined {
  if (evaluation.firstDueMs === undefined) return undefined;
  const endMs =
    evaluation.missing === 0 && evaluation.lastArrivalMs !== undefined
      ? evaluation.lastArrivalMs + marginMs
      : waitEndedMs;
  return { fromMs: evaluation.firstDueMs - marginMs, toMs: endMs };
}

/** Counter `index` at `atMs`, interpolated linearly between the samples around it. */
function valueAt(
  samples: readonly CpuSample[],
  index: number,
  atMs: number,
): number | undefined {
  const known = samples.filter((s) => s.seconds[index] !== undefined);
  if (!known.length) return undefined;
  const value = (s: CpuSample) => s.seconds[index] ?? 0;
  if (atMs <= known[0].atMs) return value(known[0]);
  const last = known[known.length - 1];
  if (atMs >= last.atMs) return value(last);
  const after = known.findIndex((s) => s.atMs >= atMs);
  const a = known[after - 1];
  const b = known[after];
  const share = (atMs - a.atMs) / Math.max(1, b.atMs - a.atMs);
  return value(a) + (value(b) - value(a)) * share;
}

/**
 * CPU seconds of counter `index` between `fromMs` and `toMs`, from periodic samples of
 * its cumulative value (interpolated between samples; clamped to the first and last).
 */
export function cpuBetween(
  samples: readonly CpuSample[],
  index: number,
  fromMs: number,
  toMs: number,
): number | undefined {
  const from = valueAt(samples, index, fromMs);
  const to = valueAt(samples, index, toMs);
  return from === undefined || to === undefined
    ? undefined
    : Math.max(0, to - from);
}

/**
 * Reads a list of cumulative CPU counters (processes, process trees) every
 * CPU_SAMPLE_INTERVAL_MS until stopped, so that CPU over any window inside the sampled
 * span can be computed after the fact: the window's end (the last arrival) is only known
 * once the harness has seen it.
 */
export class CpuSampler {
  private readonly samples: CpuSample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly counters: readonly (() => number | undefined)[],
    private readonly clock: Clock,
  ) {
    this.sample();
    this.loop = this.run();
  }

  /** Samples until `untilMs` has been covered, then stops. */
  async stopAfter(untilMs: number): Promise<readonly CpuSample[]> {
    const waitMs = untilMs + CPU_SAMPLE_INTERVAL_MS - this.nowMs();
    if (waitMs > 0) await sleep(waitMs);
    this.running = false;
    await this.loop;
    this.sample();
    return this.samples;
  }

  private async run(): Promise<void> {
    while (this.running) {
      await sleep(CPU_SAMPLE_INTERVAL_MS);
      this.sample();
    }
  }

  private sample(): void {
    this.samples.push({
      atMs: this.nowMs(),
      seconds: this.counters.map((read) => read()),
    });
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }
}
