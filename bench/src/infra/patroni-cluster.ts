import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeStablePorts, trackChild } from '@scheduleman/testkit';
import { Client } from 'pg';
import { monotonicMs } from './wait';

/**
 * A local three-node PostgreSQL cluster managed by Patroni, with one etcd node as its
 * consensus store, for the failover chaos run and its e2e spec: everything on loopback,
 * fresh data folders, durability as a user would run it (fsync on) and synchronous
 * replication in strict mode, so that a commit is acknowledged only once a standby has
 * it and Patroni promotes only that standby.
 *
 * Patroni and PostgreSQL come from Debian's packages (`patroni`, `etcd-server`,
 * `postgresql`). PostgreSQL refuses to run as root: as root, etcd, Patroni and so
 * PostgreSQL run as the `postgres` user, in a folder under the system temp folder that
 * the user owns (mode 0700), so a private checkout is never touched.
 */
export interface PatroniClusterOptions {
  /** etcd's client and peer ports. */
  etcdPort: number;
  etcdPeerPort: number;
  /** One PostgreSQL port and one Patroni REST port per node (three nodes). */
  nodes: readonly { pgPort: number; restPort: number }[];
  /** The cluster's folder; default `<tmpdir>/scheduleman-patroni-<etcdPort>`. Wiped first. */
  root?: string;
  /** Where the logs go (etcd.log, pg1.log…); default the cluster's folder. */
  logDir?: string;
  log?: (line: string) => void;
}

/**
 * Patroni's timing: the leader key lives `ttl` seconds unless renewed; every node runs its
 * loop each `loop_wait` seconds. A dead leader node is replaced within about ttl +
 * loop_wait; a crashed postgres under a live Patroni at once (master_start_timeout 0).
 */
export const PATRONI_TTL_S = 10;
const LOOP_WAIT_S = 1;
const RETRY_TIMEOUT_S = 3;
const READY_TIMEOUT_MS = 90_000;

export interface PatroniMember {
  name: string;
  role: string;
  state: string;
  port: number;
  lag?: number | string;
}

export class PatroniNode {
  process: ChildProcess | undefined;
  constructor(
    readonly name: string,
    readonly pgPort: number,
    readonly restPort: number,
    readonly dataDir: string,
  ) {}

  /** The postmaster's pid from its pid file, when it runs. */
  postmasterPid(): number | undefined {
    return postmasterOf(this.dataDir);
  }
}

/** The live postmaster of data folder `dataDir`, from its pid file. */
function postmasterOf(dataDir: string): number | undefined {
  try {
    const pid = Number(
      readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** SIGKILL to each postmaster and its backends, then waits (at most 5 s) until they are gone. */
function killAndWait(postmasters: number[]): void {
  const pids = postmasters.flatMap((pid) => [pid, ...childrenOf(pid)]);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const deadline = monotonicMs() + 5_000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (pids.some(alive) && monotonicMs() < deadline)
    Atomics.wait(pause, 0, 0, 50);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids whose parent is `pid` (the postmaster's backends), from /proc. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: fields start after ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

function which(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}

/** The newest Debian PostgreSQL server binaries, or PATRONI_PG_BIN_DIR's. */
function postgresBinDir(): string | undefined {
  const explicit = process.env['PATRONI_PG_BIN_DIR'];
  if (explicit) return explicit;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : undefined;
}

/** What is missing to run the cluster, as one sentence, or undefined when all is there. */
export function patroniMissing(): string | undefined {
  const missing = [
    which('patroni') ? undefined : 'patroni',
    which('etcd') ? undefined : 'etcd (package etcd-server)',
    postgresBinDir() ? undefined : 'a PostgreSQL server (package postgresql)',
  ].filter(Boolean);
  return missing.length
    ? `the Patroni cluster needs ${missing.join(', ')}: apt-get install patroni etcd-server postgresql`
    : undefined;
}

interface Account {
  uid: number;
  gid: number;
}

/** As root, the `postgres` user (Debian's postgresql package creates it); else ourselves. */
function runAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function getJson(url: string, timeoutMs = 1_000): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return response.json();
}

/** A start that failed because a port picked for it was taken before its server bound it. */
export class PortTakenError extends Error {}

/** The size of each log in `logDir`, so that a later look reads only what was added. */
function logSizes(logDir: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const entry of readdirSync(logDir))
    if (entry.endsWith('.log'))
      sizes.set(entry, statSync(join(logDir, entry)).size);
  return sizes;
}

/** The log that says, past `from`, that a port was already in use, if any. */
function portTakenIn(
  logDir: string,
  from: Map<string, number>,
): string | undefined {
  for (const entry of readdirSync(logDir)) {
    if (!entry.endsWith('.log')) continue;
    const added = readFileSync(join(logDir, entry)).subarray(
      from.get(entry) ?? 0,
    );
    if (/address already in use/i.test(added.toString('utf8')))
      return `${entry} says a port was already in use`;
  }
  return undefined;
}

export class PatroniCluster {
  private etcd: ChildProcess | undefined;
  private stopped = false;
  private forgetExitHook: () => void = () => undefined;

  private constructor(
    readonly nodes: PatroniNode[],
    private readonly options: PatroniClusterOptions,
    private readonly root: string,
    private readonly logDir: string,
    private readonly account: Account | undefined,
  ) {}

  /** The URL the apps use: every node, and only a read-write session will do. */
  get url(): string {
    const hosts = this.nodes.map((n) => `127.0.0.1:${n.pgPort}`).join(',');
    return `postgres://postgres@${hosts}/postgres?target_session_attrs=read-write`;
  }

  /** A URL of one node, for probes that must not fail over. */
  nodeUrl(node: PatroniNode): string {
    return `postgres://postgres@127.0.0.1:${node.pgPort}/postgres`;
  }

  /**
   * A cluster on ports picked here (below the ephemeral range: `freeStablePorts`). A
   * server binds its port seconds after the pick, so another process can still take one
   * first: when a log says so ("Address already in use"), the start is tried again on a
   * fresh set, at most `attempts` times in all.
   */
  static async startOnFreePorts(
    options: Omit<PatroniClusterOptions, 'etcdPort' | 'etcdPeerPort' | 'nodes'>,
    attempts = 3,
  ): Promise<PatroniCluster> {
    for (let attempt = 1; ; attempt += 1) {
      const [etcdPort, etcdPeerPort, ...nodePorts] = await freeStablePorts(8);
      const nodes = [0, 1, 2].map((i) => ({
        pgPort: nodePorts[2 * i],
        restPort: nodePorts[2 * i + 1],
      }));
      try {
        return await PatroniCluster.start({
          ...options,
          etcdPort,
          etcdPeerPort,
          nodes,
        });
      } catch (error) {
        if (!(error instanceof PortTakenError) || attempt >= attempts)
          throw error;
        options.log?.(`[patroni] ${error.message}; again on fresh ports`);
      }
    }
  }

  static async start(options: PatroniClusterOptions): Promise<PatroniCluster> {
    const missing = patroniMissing();
    if (missing) throw new Error(missing);
    if (options.nodes.length < 3)
      throw new Error('a Patroni cluster here has three nodes');
    const root =
      options.root ?? join(tmpdir(), `scheduleman-patroni-${options.etcdPort}`);
    const account = runAccount();
    PatroniCluster.clearLeftovers(root);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true, mode: 0o700 });
    if (account) chownSync(root, account.uid, account.gid);
    chmodSync(root, 0o700);
    const logDir = options.logDir ?? root;
    mkdirSync(logDir, { recursive: true });
    const logStarts = logSizes(logDir);
    const nodes = options.nodes.map(
      (n, i) =>
        new PatroniNode(
          `pg${i + 1}`,
          n.pgPort,
          n.restPort,
          join(root, `pg${i + 1}`),
        ),
    );
    const cluster = new PatroniCluster(nodes, options, root, logDir, account);
    const lastResort = () => cluster.killPostmastersNow();
    process.once('exit', lastResort);
    cluster.forgetExitHook = () => process.off('exit', lastResort);
    try {
      cluster.startEtcd();
      await cluster.waitForEtcd();
      for (const node of nodes) cluster.startNode(node);
      // A node whose port was taken may retry for ever: no use waiting it out.
      await cluster.waitHealthy(READY_TIMEOUT_MS, undefined, () =>
        portTakenIn(logDir, logStarts),
      );
      return cluster;
    } catch (error) {
      await cluster.stop();
      const taken = portTakenIn(logDir, logStarts);
      throw taken
        ? new PortTakenError(`${taken}: ${String(error)}`, { cause: error })
        : error;
    }
  }

  /** Postmasters of an earlier run of the same folder (killed with its Patroni): kill them. */
  private static clearLeftovers(root: string): void {
    if (!existsSync(root)) return;
    const pids = readdirSync(root)
      .map((entry) => postmasterOf(join(root, entry)))
      .filter((pid): pid is number => pid !== undefined);
    killAndWait(pids);
  }

  /**
   * The last resort when this process exits without stop(): the test kit kills Patroni
   * (a tracked child), but PostgreSQL is Patroni's child and would be orphaned.
   */
  private killPostmastersNow(): void {
    killAndWait(
      this.nodes
        .map((n) => n.postmasterPid())
        .filter((pid): pid is number => pid !== undefined),
    );
  }

  private say(line: string): void {
    this.options.log?.(`[patroni] ${line}`);
  }

  private spawnLogged(
    name: string,
    command: string,
    args: string[],
  ): ChildProcess {
    const log = createWriteStream(join(this.logDir, `${name}.log`), {
      flags: 'a',
    });
    const child = spawn(command, args, {
      cwd: this.root,
      env: { ...process.env, LC_MESSAGES: 'C', HOME: this.root },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(this.account ? { uid: this.account.uid, gid: this.account.gid } : {}),
    });
    trackChild(child);
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once('exit', () => log.end());
    return child;
  }

  private startEtcd(): void {
    const client = `http://127.0.0.1:${this.options.etcdPort}`;
    const peer = `http://127.0.0.1:${this.options.etcdPeerPort}`;
    this.etcd = this.spawnLogged('etcd', 'etcd', [
      '--name=etcd1',
      `--data-dir=${join(this.root, 'etcd')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=etcd1=${peer}`,
      '--initial-cluster-state=new',
      '--logger=zap',
      '--log-level=warn',
    ]);
  }

  private async waitForEtcd(): Promise<void> {
    const deadline = monotonicMs() + 30_000;
    for (;;) {
      try {
        const health = (await getJson(
          `http://127.0.0.1:${this.options.etcdPort}/health`,
        )) as { health?: string };
        if (health.health === 'true') return;
      } catch {
        // Not listening yet.
      }
      if (this.etcd?.exitCode !== null)
        throw new Error(
          `etcd exited (${this.etcd?.exitCode}); see ${join(this.logDir, 'etcd.log')}`,
        );
      if (monotonicMs() > deadline)
        throw new Error('etcd did not become healthy in 30 s');
      await sleep(200);
    }
  }

  private nodeConfig(node: PatroniNode): object {
    return {
      scope: 'scheduleman',
      namespace: '/scheduleman/',
      name: node.name,
      log: { level: 'INFO' },
      restapi: {
        listen: `127.0.0.1:${node.restPort}`,
        connect_address: `127.0.0.1:${node.restPort}`,
      },
      etcd3: { hosts: [`127.0.0.1:${this.options.etcdPort}`] },
      bootstrap: {
        dcs: {
          ttl: PATRONI_TTL_S,
          loop_wait: LOOP_WAIT_S,
          retry_timeout: RETRY_TIMEOUT_S,
          maximum_lag_on_failover: 1_048_576,
          // A crashed primary is replaced at once instead of restarted in place.
          master_start_timeout: 0,
          // An acknowledged commit is on a standby, and only that standby is promoted;
          // strict: with no standby left, commits wait instead of going unreplicated.
          synchronous_mode: true,
          synchronous_mode_strict: true,
          postgresql: {
            use_pg_rewind: true,
            use_slots: true,
            parameters: {
              max_connections: 300,
              wal_level: 'replica',
              hot_standby: 'on',
              wal_log_hints: 'on',
              max_wal_senders: 10,
              max_replication_slots: 10,
              wal_keep_size: '256MB',
            },
          },
        },
        initdb: [{ encoding: 'UTF8' }, { locale: 'C' }],
      },
      postgresql: {
        listen: `127.0.0.1:${node.pgPort}`,
        connect_address: `127.0.0.1:${node.pgPort}`,
        data_dir: node.dataDir,
        bin_dir: postgresBinDir(),
        pgpass: join(this.root, `${node.name}.pgpass`),
        authentication: {
          superuser: { username: 'postgres', password: 'postgres' },
          replication: { username: 'replicator', password: 'replicator' },
          rewind: { username: 'postgres', password: 'postgres' },
        },
        // Loopback only, and a local test cluster: trust, as the multi-host URL has no password.
        pg_hba: [
          'local all all trust',
          'host all all 127.0.0.1/32 trust',
          'host replication replicator 127.0.0.1/32 trust',
        ],
        parameters: {
          unix_socket_directories: this.root,
          shared_buffers: '64MB',
        },
      },
    };
  }

  private startNode(node: PatroniNode): void {
    const configFile = join(this.root, `${node.name}.yml`);
    // JSON is YAML: no YAML writer needed.
    writeFileSync(configFile, JSON.stringify(this.nodeConfig(node), null, 2), {
      mode: 0o600,
    });
    if (this.account) chownSync(configFile, this.account.uid, this.account.gid);
    node.process = this.spawnLogged(node.name, 'patroni', [configFile]);
  }

  /** The members as Patroni's REST API of any live node sees them. */
  async members(): Promise<PatroniMember[]> {
    for (const node of this.nodes) {
      if (!node.process || node.process.exitCode !== null) continue;
      if (node.process.signalCode !== null) continue;
      try {
        const cluster = (await getJson(
          `http://127.0.0.1:${node.restPort}/cluster`,
        )) as { members?: PatroniMember[] };
        if (cluster.members) return cluster.members;
      } catch {
        // Try the next node.
      }
    }
    return [];
  }

  /** The node that is leader and running, if any. */
  async leader(): Promise<PatroniNode | undefined> {
    const leader = (await this.members()).find(
      (m) => m.role === 'leader' && m.state === 'running',
    );
    return this.nodes.find((n) => n.name === leader?.name);
  }

  /**
   * Waits until a leader runs and `standbys` other nodes stream from it, one of them the
   * synchronous standby: only then is an acknowledged commit on two nodes. Stops early
   * with `giveUp`'s reason when it gives one.
   */
  async waitHealthy(
    timeoutMs: number,
    standbys = this.nodes.length - 1,
    giveUp: () => string | undefined = () => undefined,
  ): Promise<PatroniNode> {
    const deadline = monotonicMs() + timeoutMs;
    let last = '';
    for (;;) {
      const reason = giveUp();
      if (reason) throw new Error(reason);
      const members = await this.members();
      const summary = members.map((m) => `${m.name}:${m.role}/${m.state}`);
      if (summary.join(' ') !== last) {
        last = summary.join(' ');
        this.say(last || 'no member answers yet');
      }
      const leader = members.find(
        (m) => m.role === 'leader' && m.state === 'running',
      );
      const following = members.filter(
        (m) =>
          (m.role === 'sync_standby' || m.role === 'replica') &&
          (m.state === 'streaming' || m.state === 'running'),
      );
      const sync = following.some((m) => m.role === 'sync_standby');
      if (leader && sync && following.length >= standbys) {
        const node = this.nodes.find((n) => n.name === leader.name);
        if (node && (await this.acceptsWrites(node))) return node;
      }
      for (const node of this.nodes)
        if (node.process && node.process.exitCode !== null && !this.stopped)
          throw new Error(
            `patroni ${node.name} exited (${node.process.exitCode}); see ${join(this.logDir, `${node.name}.log`)}`,
          );
      if (monotonicMs() > deadline)
        throw new Error(
          `no healthy Patroni cluster within ${timeoutMs / 1000} s (last seen: ${last || 'nothing'}); logs in ${this.logDir}`,
        );
      await sleep(250);
    }
  }

  /** Whether `node` is a primary that commits a write now (a synchronous one, so a standby has it). */
  async acceptsWrites(node: PatroniNode, timeoutMs = 2_000): Promise<boolean> {
    const client = new Client({
      connectionString: this.nodeUrl(node),
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ standby: boolean }>(
        'select pg_is_in_recovery() as standby',
      );
      const row = rows.at(0);
      if (!row || row.standby) return false;
      await client.query('select txid_current()');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * A crash of the node's machine: SIGKILL to its Patroni, its postmaster and every
   * backend at once, so nothing shuts down cleanly and the leader key is left to expire.
   */
  crash(node: PatroniNode): number[] {
    const postmaster = node.postmasterPid();
    const pids = [
      node.process?.pid,
      postmaster,
      ...(postmaster ? childrenOf(postmaster) : []),
    ].filter((p): p is number => p !== undefined);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    return pids;
  }

  /** Stops every node (Patroni stops its PostgreSQL), then etcd; kills what does not stop. */
  async stop(): Promise<void> {
    this.stopped = true;
    const running = (child: ChildProcess | undefined) =>
      child !== undefined &&
      child.exitCode === null &&
      child.signalCode === null;
    const exited = (child: ChildProcess) =>
      new Promise<void>((resolve) => {
        if (!running(child)) resolve();
        else child.once('exit', () => resolve());
      });
    const patronis = this.nodes
      .map((n) => n.process)
      .filter((p): p is ChildProcess => running(p));
    for (const child of patronis) child.kill('SIGTERM');
    await Promise.race([Promise.all(patronis.map(exited)), sleep(20_000)]);
    for (const child of patronis) if (running(child)) child.kill('SIGKILL');
    for (const node of this.nodes) {
      const pid = node.postmasterPid();
      if (pid === undefined) continue;
      this.say(`postmaster of ${node.name} (${pid}) outlived Patroni: SIGQUIT`);
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // Gone meanwhile.
      }
    }
    if (this.etcd && running(this.etcd)) {
      this.etcd.kill('SIGTERM');
      await Promise.race([exited(this.etcd), sleep(10_000)]);
      if (running(this.etcd)) this.etcd.kill('SIGKILL');
    }
    // Backends of a killed postmaster exit on their own once they notice; give them a moment.
    const deadline = monotonicMs() + 10_000;
    while (
      this.nodes.some((n) => n.postmasterPid() !== undefined) &&
      monotonicMs() < deadline
    )
      await sleep(200);
    this.killPostmastersNow();
    this.forgetExitHook();
  }

  /** Removes the data (call after stop). Logs stay when they are kept elsewhere. */
  removeData(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
