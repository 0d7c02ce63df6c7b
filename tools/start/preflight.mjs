// Checks before anything starts: the ports are free, and the app bundles are fresh.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fail } from './config.mjs';

/** Each project `npm start` needs and the file its build writes last (the web UI has no main.js). */
const BUNDLES = {
  'schedule-api': 'main.js',
  scheduler: 'main.js',
  'task-pretender': 'main.js',
  'schedule-ui': 'index.html',
};
const APPS = Object.keys(BUNDLES);

/** A taken port makes an app die at boot with a less obvious error: say it up front. */
export async function assertPortsFree(services, shout) {
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
    return /\.(e2e-|int-)?spec\.ts$/.test(path) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path))
    newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

/** Rebuild when a bundle is missing or older than anything it is built from (tests excluded). */
export function buildIfStale(root, env, say) {
  if (env.START_SKIP_BUILD === '1') return;
  const shared = ['libs', 'tsconfig.base.json', 'package-lock.json'].map((p) =>
    newestMtimeMs(join(root, p)),
  );
  const stale = APPS.filter((app) => {
    const bundle = join(root, 'dist', 'apps', app, BUNDLES[app]);
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
    utimesSync(join(root, 'dist', 'apps', app, BUNDLES[app]), now, now);
}
