// The supervisor of `npm start` (its own process group, see ../start.mjs): checks, the
// database, the apps, the banner, and the ordered shutdown on a signal.
import { join, relative, sep } from 'node:path';
import { startEmbeddedPostgres } from '../embedded-pg.mjs';
import { readConfig, secretsKeyFor, startLog } from './config.mjs';
import { appLauncher } from './launch.mjs';
import { assertPortsFree, buildIfStale } from './preflight.mjs';
import { stopInOrder } from './shutdown.mjs';
import { waitReady } from './wait-ready.mjs';

async function database(root, env, pgPort, say) {
  if (env.DATABASE_URL) {
    say('using DATABASE_URL');
    return { url: env.DATABASE_URL, db: undefined };
  }
  const db = await startEmbeddedPostgres({
    dataDir: join(root, '.data', 'pg'),
    port: pgPort,
    log: env.PG_LOG === '1',
  });
  const where = db.dataDir.startsWith(root + sep)
    ? relative(root, db.dataDir)
    : db.dataDir;
  say(
    `embedded PostgreSQL on port ${pgPort}, data in ${where} (kept across restarts)`,
  );
  return { url: db.url, db };
}

function banner(config, databaseUrl, say) {
  const url = (port, path = '') => `http://localhost:${port}${path}`;
  const { apiPort, pretenderPort, services } = config;
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
  if (config.signingSecretGenerated)
    say(
      `  signing secret   ${config.signingSecrets}  (WEBHOOK_SIGNING_SECRETS, new each run; see docs/triggers.md to verify a delivery)`,
    );
  else say('  signing secrets  from WEBHOOK_SIGNING_SECRETS');
  if (config.authEnabled)
    say(
      `  authentication   on (ADMIN_API_KEY); try: curl -s ${url(apiPort, '/schedules')} -H "Authorization: Bearer $ADMIN_API_KEY"`,
    );
  else
    say(
      '  authentication   off (AUTH_DISABLED=true), API on 127.0.0.1 only; set ADMIN_API_KEY to turn it on (docs/security.md)',
    );
  say('Ctrl-C stops everything.');
}

export async function runSupervisor(root) {
  const env = process.env;
  const config = readConfig(env);
  const { services } = config;
  const { width, say, shout } = startLog(services);

  await assertPortsFree(services, shout);
  buildIfStale(root, env, say);
  const { url: databaseUrl, db } = await database(
    root,
    env,
    config.pgPort,
    say,
  );

  const run = { stopping: false, forced: false, live: new Set() };
  async function shutdown(reason, exitCode = 0) {
    if (run.stopping) return;
    run.stopping = true;
    say(`stopping (${reason}); press Ctrl-C again to force`);
    await stopInOrder({ ...config, services, run, db, say, shout });
    say('all processes stopped');
    process.exit(exitCode);
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (run.stopping) {
        run.forced = true;
        for (const child of run.live) child.kill('SIGKILL');
      } else void shutdown(`received ${signal}`);
    });
  }
  const parentPid = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentPid)
      void shutdown('the npm start wrapper went away');
  }, 1000).unref();

  // Every app seals and opens stored secrets with the same key (docs/security.md).
  const secrets = secretsKeyFor(env, join(root, '.data', 'secrets-key'));
  say(
    `stored secrets are sealed with SECRETS_KEY from ${secrets.source === 'SECRETS_KEY' ? 'the environment' : relative(root, secrets.source)}`,
  );
  const launch = appLauncher({
    root,
    env: { ...env, SECRETS_KEY: secrets.key },
    databaseUrl,
    width,
    shout,
    run,
    onEveryoneDown: () => void shutdown('every process is down', 1),
  });
  for (const service of services) launch(service);
  const results = await Promise.all(
    services.map((s) =>
      waitReady(s, config.readyTimeoutMs, () => run.stopping || s.down),
    ),
  );
  if (run.stopping) return;
  if (results.every((r) => r === 'ready')) say('every process is ready');
  for (const [i, result] of results.entries()) {
    if (result !== 'ready') shout(`${services[i].name}: ${result}`);
  }
  banner(config, databaseUrl, say);
}
