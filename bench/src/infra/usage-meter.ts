import type { AppProcess } from '@scheduleman/testkit';
import { cpuSeconds, peakRssMb } from './proc-stats';

/** What a process used, for the result tables. CPU is the delta since `mark()`. */
export interface ProcessUsage {
  name: string;
  cpuSeconds: number;
  peakRssMb: number;
}

/**
 * CPU and peak RSS of one app process over all its incarnations (the chaos run restarts
 * killed schedulers). /proc/<pid> disappears at exit, so each incarnation's usage is
 * folded into the totals just before an ending signal is sent.
 */
export class UsageMeter {
  private cpuBaseline = 0;
  private cpuOfEarlierRuns = 0;
  private peakRssOfEarlierRunsMb = 0;
  /** The incarnation already folded into the totals (it is exiting). */
  private foldedPid: number | undefined;

  constructor(private readonly process: AppProcess) {
    process.onEnding(() => {
      this.fold();
    });
  }

  /** Starts counting CPU from now (e.g. once the workload is created). */
  mark(): void {
    this.cpuOfEarlierRuns = 0;
    const pid = this.livePid();
    this.cpuBaseline = pid ? (cpuSeconds(pid) ?? 0) : 0;
  }

  /** Read while the process is alive: /proc forgets a process once it has exited. */
  usage(): ProcessUsage {
    const pid = this.livePid();
    const cpuNow = pid
      ? (cpuSeconds(pid) ?? this.cpuBaseline) - this.cpuBaseline
      : 0;
    const rssNow = pid ? (peakRssMb(pid) ?? 0) : 0;
    return {
      name: this.process.name,
      cpuSeconds: this.cpuOfEarlierRuns + Math.max(0, cpuNow),
      peakRssMb: Math.max(this.peakRssOfEarlierRunsMb, rssNow),
    };
  }

  private livePid(): number | undefined {
    const pid = this.process.pid;
    return pid === this.foldedPid ? undefined : pid;
  }

  /** Folds this incarnation into the totals; the next one starts from zero. */
  private fold(): void {
    if (this.livePid() === undefined) return;
    const current = this.usage();
    this.cpuOfEarlierRuns = current.cpuSeconds;
    this.peakRssOfEarlierRunsMb = current.peakRssMb;
    this.cpuBaseline = 0;
    this.foldedPid = this.process.pid;
  }
}
