import type { ChildProcess } from 'node:child_process';

const everyChild = new Set<ChildProcess>();

// Last resort when a test worker or the bench exits without stopping its children:
// no orphaned apps or database servers are left behind.
process.once('exit', () => {
  for (const child of everyChild)
    if (child.exitCode === null && child.signalCode === null)
      child.kill('SIGKILL');
});

/** Registers a child process for the last-resort SIGKILL when this process exits. */
export function trackChild(child: ChildProcess): void {
  everyChild.add(child);
  child.once('exit', () => everyChild.delete(child));
}
