// Whether a started app is ready: its /health/ready (or /health) answers 2xx.
import { sleep } from './config.mjs';

/** Resolves 'ready', or a sentence saying why not. Placeholder apps without /health count once they answer HTTP. */
export async function waitReady(service, timeoutMs, giveUp) {
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
