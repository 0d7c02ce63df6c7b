import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports CPU times in clock ticks; 100 per second on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

interface StatFields {
  ppid: number;
  /** utime + stime of the process itself, in ticks. */
  ownTicks: number;
  /** cutime + cstime: children that exited and were reaped, in ticks. */
  reapedChildrenTicks: number;
}

function readStat(pid: number): StatFields | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): field N is at index N - 3.
  const at = (n: number) => Number(fields[n - 3]);
  return {
    ppid: at(4),
    ownTicks: at(14) + at(15),
    reapedChildrenTicks: at(16) + at(17),
  };
}

/** CPU seconds (user + system) a live process has used so far, or undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  const stat = readStat(pid);
  return stat ? stat.ownTicks / TICKS_PER_SECOND : undefined;
}

/** Peak resident set size (VmHWM) in MB, or undefined once the process is gone. */
export function peakRssMb(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of a process and all its children, live or already reaped: PostgreSQL's
 * postmaster forks one backend per connection, and a backend that exited is counted in
 * the postmaster's cutime/cstime once reaped. The difference of two readings is the CPU
 * the whole server used in between.
 */
export function treeCpuSeconds(rootPid: number): number | undefined {
  const root = readStat(rootPid);
  if (!root) return undefined;
  let ticks = root.ownTicks + root.reapedChildrenTicks;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat?.ppid === rootPid) ticks += stat.ownTicks;
  }
  return ticks / TICKS_PER_SECOND;
}
