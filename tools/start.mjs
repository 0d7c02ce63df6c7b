// `npm start`: the whole system on one machine. PostgreSQL (embedded unless DATABASE_URL is
// set), schedule-api, two schedulers and task-pretender, each a plain `node dist/apps/<app>/main.js`
// exactly as in production, with its output prefixed by its name.
//
// Process layout, and why:
//   npm ─ start.mjs (thin wrapper, foreground) ─ start.mjs supervisor (own process group)
//                                                 ├─ postgres (spawned by embedded-pg.mjs)
//                                                 └─ the four apps
// Ctrl-C in a terminal sends SIGINT to the whole foreground process group. If postgres were in
// that group it would do a fast shutdown at the same moment the schedulers start their graceful
// one, and they could not release their leases. So the supervisor runs in its own group and is
// the only one that signals children: apps first (SIGTERM, bounded wait, then SIGKILL), then
// PostgreSQL. A second Ctrl-C forces. If the wrapper vanishes (kill -9), the supervisor notices
// its parent changed and shuts down the same way; if the supervisor is killed, the wrapper
// SIGTERMs its process group. Either way nothing is left behind, and a postmaster orphaned by
// a kill -9 of both is stopped by the next start (embedded-pg/leftovers.mjs).
//
// The parts, in tools/start/: wrapper.mjs (the foreground relay), supervisor.mjs (the order of
// things), config.mjs (environment), preflight.mjs (free ports, build staleness), launch.mjs
// (one app), wait-ready.mjs (health probes), shutdown.mjs (the ordered stop).
import { join } from 'node:path';

if (process.env.SCHEDULEMAN_START_SUPERVISOR !== '1') {
  const { runWrapper } = await import('./start/wrapper.mjs');
  runWrapper(import.meta.filename);
} else {
  const { runSupervisor } = await import('./start/supervisor.mjs');
  await runSupervisor(join(import.meta.dirname, '..'));
}
