// The foreground part of `npm start`: re-runs the entry as the supervisor in a new process
// group, relays signals to it, and stops what it leaves behind if it dies.
import { spawn } from 'node:child_process';
import { sleep } from './config.mjs';

export function runWrapper(entry) {
  const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], {
    detached: true,
    stdio: 'inherit',
    env: { ...process.env, SCHEDULEMAN_START_SUPERVISOR: '1' },
  });
  let firstSignalAt;
  const relay = () => {
    if (child.exitCode !== null) return;
    const now = performance.now();
    // Ctrl-C under `npm start` arrives twice (from the terminal and relayed by npm), so only a
    // signal a second or more after the first means "force" (SIGKILL the apps, then stop PostgreSQL).
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      child.kill('SIGTERM');
    } else if (now - firstSignalAt >= 1000) child.kill('SIGINT');
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(signal, relay);
  // `kill <npm pid>` makes npm signal the `sh -c` between it and us, which dies without passing
  // the signal on: treat losing our parent like a SIGTERM.
  const parentPid = process.ppid;
  setInterval(() => process.ppid !== parentPid && relay(), 500).unref();
  child.on('exit', async (code, signal) => {
    // The supervisor leads its own process group (detached), and the apps and PostgreSQL
    // are in it. Normally it has stopped them all; if it was killed (kill -9, OOM), stop
    // what is left so that nothing outlives `npm start`.
    const group = -child.pid;
    const alive = () => {
      try {
        process.kill(group, 0);
        return true;
      } catch {
        return false;
      }
    };
    if (alive()) {
      console.error(
        `[start] the supervisor exited (${signal ?? `code ${code}`}); stopping the processes it left behind`,
      );
      process.kill(group, 'SIGTERM');
      for (let i = 0; i < 100 && alive(); i++) await sleep(100);
      if (alive()) process.kill(group, 'SIGKILL');
    }
    process.exit(code ?? (signal ? 1 : 0));
  });
}
