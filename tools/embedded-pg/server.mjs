// initdb, launch, readiness and stop of the embedded PostgreSQL, on the binaries and data
// folder that placement.mjs chose, after leftovers.mjs has cleared what a killed run left.
//
// initdb and postgres are spawned here rather than through the package's wrapper class, which
// hard-codes the binaries' path, installs process-wide signal hooks and reports a failed start
// as a bare `undefined`. Readiness is read from the server's own log line.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { assertPortFree, clearLeftovers } from './leftovers.mjs';
import { planPlacement, USER } from './placement.mjs';

const PASSWORD = 'postgres';
const READY_LINE = 'database system is ready to accept connections';
const READY_TIMEOUT_MS = 60_000;

/** Flags for a disposable server: durability off. */
export const FAST_FLAGS = [
  '-c',
  'fsync=off',
  '-c',
  'synchronous_commit=off',
  '-c',
  'full_page_writes=off',
];

/** Loads pg_stat_statements (bundled with the binaries): the bench counts statements per fire. */
export const STAT_STATEMENTS_FLAGS = [
  '-c',
  'shared_preload_libraries=pg_stat_statements',
  '-c',
  'pg_stat_statements.max=1000',
];

/** Data folder ready for initdb or postgres: exists, owned by the account, mode 0700. */
function prepareDataDir(dataDir, account) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (account) chownSync(dataDir, account.uid, account.gid);
  chmodSync(dataDir, 0o700);
}

function spawnOptions(account, cwd) {
  return {
    cwd,
    // Messages in English: readiness is read from the server's log.
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(account ? { uid: account.uid, gid: account.gid } : {}),
  };
}

async function initdb(native, dataDir, account) {
  const pwfile = join(
    dirname(dataDir),
    `.pg-password-${randomBytes(6).toString('hex')}`,
  );
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (account) chownSync(pwfile, account.uid, account.gid);
  try {
    const child = spawn(
      join(native, 'bin', 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=password',
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--lc-messages=C',
      ],
      spawnOptions(account, dirname(dataDir)),
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const [code, signal] = await new Promise((done, fail) => {
      child.once('error', fail);
      child.once('close', (c, s) => done([c, s]));
    });
    if (code !== 0)
      throw new Error(
        `[embedded-pg] initdb failed (${signal ?? `code ${code}`}): ${output.trim()}`,
      );
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** Spawns the postmaster and resolves once it accepts connections. */
function launch({ native, dataDir, account, port, flags, log }) {
  const child = spawn(
    join(native, 'bin', 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'max_connections=400',
      '-c',
      'listen_addresses=127.0.0.1',
      ...flags,
    ],
    spawnOptions(account, dirname(dataDir)),
  );
  // Kept for the error message; the output is always read, or a full pipe would stall the server.
  const recent = [];
  let ready = false;
  const onOutput = (chunk) => {
    const text = String(chunk);
    if (log) process.stderr.write(text.replace(/^(?=.)/gm, '[postgres] '));
    recent.push(...text.split('\n').filter(Boolean));
    recent.splice(0, Math.max(0, recent.length - 20));
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      fail(
        new Error(
          `[embedded-pg] PostgreSQL on port ${port} not ready after ${READY_TIMEOUT_MS} ms: ${recent.join(' | ')}`,
        ),
      );
    }, READY_TIMEOUT_MS);
    child.stderr.on('data', (chunk) => {
      if (ready || !String(chunk).includes(READY_LINE)) return;
      ready = true;
      clearTimeout(timer);
      done(child);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(new Error(`[embedded-pg] cannot run PostgreSQL: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      const taken = recent.some((l) => l.includes('Address already in use'));
      fail(
        new Error(
          taken
            ? `[embedded-pg] port ${port} on 127.0.0.1 is already in use: stop what uses it or choose another port`
            : `[embedded-pg] PostgreSQL exited (${signal ?? `code ${code}`}) before it was ready: ${recent.join(' | ')}`,
        ),
      );
    });
  });
}

const exited = (child) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((done) => child.once('exit', () => done()));

/**
 * @param {{ dataDir: string, port: number, fresh?: boolean, flags?: string[], log?: boolean, nativeDir?: string }} options
 *   `nativeDir`: where the binaries come from (default SCHEDULEMAN_PG_NATIVE_DIR, else the package).
 * @returns {Promise<{ url: string, port: number, dataDir: string, stop: () => Promise<void>, restart: () => Promise<void>, pid: () => number | undefined }>}
 *   `dataDir` is where the data really is (as root, possibly in the private cache folder).
 */
export async function startEmbeddedPostgres({
  dataDir,
  port,
  fresh = false,
  flags = [],
  log = false,
  nativeDir,
}) {
  const how = planPlacement({ dataDir: resolve(dataDir), nativeDir });
  dataDir = how.dataDir;
  await clearLeftovers(dataDir);
  if (fresh) rmSync(dataDir, { recursive: true, force: true });
  await assertPortFree(port, dataDir);
  prepareDataDir(dataDir, how.account);
  if (!existsSync(join(dataDir, 'PG_VERSION')))
    await initdb(how.native, dataDir, how.account);

  let child;
  // Last resort if this process exits without stop(): a fast shutdown, never an orphan.
  const onExit = () => child?.kill('SIGINT');
  const start = async () => {
    child = await launch({ ...how, dataDir, port, flags, log });
    process.once('exit', onExit);
  };
  const stop = async () => {
    if (!child) return;
    const stopping = child;
    child = undefined;
    process.removeListener('exit', onExit);
    stopping.kill('SIGINT');
    await exited(stopping);
  };
  await start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    pid: () => child?.pid,
  };
}
