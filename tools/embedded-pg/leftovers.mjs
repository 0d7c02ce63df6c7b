// Leftovers of a killed run, cleared before a start so that they never break it: an orphaned
// postmaster still serving the data folder (its parent was killed with SIGKILL, and nobody
// else will stop it), a stale postmaster.pid whose process is gone or is now another program,
// and a port still held by our own orphan after its data folder lost its lock. A port taken
// by anything else stops the start with an error that names its owner.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { say } from './log.mjs';

/** Alive, and not a zombie nobody reaps (PID 1 in a container may not). */
function running(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/** The program name of a running process (`postgres` for a postmaster). */
function programName(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  } catch {
    const ps = spawnSync('ps', ['-o', 'comm=', '-p', String(pid)], {
      encoding: 'utf8',
    });
    return ps.stdout.trim().split('/').pop() ?? '';
  }
}

const isPostgres = (pid) =>
  Number.isInteger(pid) &&
  pid > 0 &&
  running(pid) &&
  programName(pid) === 'postgres';

async function waitGone(pid, ms) {
  const deadline = performance.now() + ms;
  while (running(pid)) {
    if (performance.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Fast shutdown, then immediate shutdown, then SIGKILL: the orphan has no one else to stop it. */
async function stopProcess(pid) {
  for (const [signal, ms] of [
    ['SIGINT', 10_000],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ]) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    if (await waitGone(pid, ms)) return;
  }
  throw new Error(`[embedded-pg] pid ${pid} did not stop, even on SIGKILL`);
}

/** What a killed run may have left on `dataDir`: an orphaned postmaster, or a stale lock. */
export async function clearLeftovers(dataDir) {
  const lock = join(dataDir, 'postmaster.pid');
  if (!existsSync(lock)) return;
  const pid = Number(readFileSync(lock, 'utf8').split('\n')[0]);
  if (isPostgres(pid)) {
    say(
      `stopping an orphaned PostgreSQL (pid ${pid}) still running on ${dataDir}, left by a run that was killed`,
    );
    await stopProcess(pid);
  }
  if (existsSync(lock)) {
    say(
      `removing a stale ${lock} (its pid ${pid} is ${running(pid) ? `now another program, ${programName(pid)}` : 'gone'})`,
    );
    rmSync(lock, { force: true });
  }
}

function portFree(port) {
  return new Promise((done) => {
    const server = createServer()
      .once('error', () => done(false))
      .listen({ port, host: '127.0.0.1', exclusive: true }, () =>
        server.close(() => done(true)),
      );
  });
}

/** The PostgreSQL that owns `port`, from its socket lock in /tmp (pid, then data folder). */
function portOwner(port) {
  try {
    const [pid, dataDir] = readFileSync(`/tmp/.s.PGSQL.${port}.lock`, 'utf8')
      .split('\n')
      .map((line) => line.trim());
    return isPostgres(Number(pid)) ? { pid: Number(pid), dataDir } : undefined;
  } catch {
    return undefined;
  }
}

export async function assertPortFree(port, dataDir) {
  if (await portFree(port)) return;
  const owner = portOwner(port);
  if (owner && resolve(owner.dataDir) === resolve(dataDir)) {
    // Its data folder lost its lock (e.g. a --fresh wipe while it ran): still our orphan.
    say(
      `stopping an orphaned PostgreSQL (pid ${owner.pid}) on port ${port} that serves ${dataDir}`,
    );
    await stopProcess(owner.pid);
    if (await portFree(port)) return;
  }
  throw new Error(
    `[embedded-pg] port ${port} on 127.0.0.1 is already in use by ${owner ? `another PostgreSQL (pid ${owner.pid}, data ${owner.dataDir})` : 'another program'}: stop it or choose another port`,
  );
}
