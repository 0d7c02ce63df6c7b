// The ordered stop of `npm start`: schedulers and the API first, the pretender last (the
// schedulers may be mid-fire towards it), PostgreSQL after every app. Each group gets
// SIGTERM and a bounded wait, then SIGKILL; a second Ctrl-C (`run.forced`) cuts the wait short.
import { sleep } from './config.mjs';

/**
 * @param {object} context  services, run ({ live, forced }), db (embedded PostgreSQL or
 *   undefined), stopTimeoutMs, say, shout.
 */
export async function stopInOrder({
  services,
  run,
  db,
  stopTimeoutMs,
  say,
  shout,
}) {
  const order = [
    services.filter((s) => s.app !== 'task-pretender'),
    services.filter((s) => s.app === 'task-pretender'),
  ];
  for (const group of order) {
    const children = group
      .map((s) => s.child)
      .filter((c) => c && run.live.has(c));
    for (const child of children) child.kill('SIGTERM');
    const deadline = performance.now() + stopTimeoutMs;
    while (
      children.some((c) => run.live.has(c)) &&
      performance.now() < deadline &&
      !run.forced
    )
      await sleep(50);
    for (const child of children) {
      if (run.live.has(child)) {
        shout(
          `pid ${child.pid} did not stop ${run.forced ? '(forced)' : `within ${stopTimeoutMs} ms`}; killing it`,
        );
        child.kill('SIGKILL');
      }
    }
    while (children.some((c) => run.live.has(c))) await sleep(20);
  }
  if (db) {
    await db.stop();
    say('PostgreSQL stopped');
  }
}
