import type { Clock } from '@scheduleman/domain';
import { sleep } from '@scheduleman/testkit';
import type { BenchCluster } from '../infra/bench-cluster';
import type { DatabaseServer } from '../infra/database-server';
import { monotonicMs } from '../infra/wait';
import type { ChaosPlan } from './chaos-plan';

export interface ChaosEvent {
  /** Seconds from the start of the window. */
  atSeconds: number;
  what: string;
}

const between = ([low, high]: [number, number]) =>
  low + Math.random() * (high - low);
const pick = <T>(items: readonly T[]): T =>
  items[Math.floor(Math.random() * items.length)];

/**
 * The disturbances of one chaos run, one at a time so that at most one scheduler is
 * down at any moment (the promise is stated for "while one scheduler lives"): mostly
 * SIGKILL of a random scheduler followed by a restart, one restart of the database, and
 * one SIGSTOP longer than the lease followed by SIGCONT. Each event completes (the
 * process is ready again) before the next gap starts.
 */
export async function runChaosEvents(
  plan: ChaosPlan,
  {
    cluster,
    server,
    clock,
    windowStartMs,
    log,
  }: {
    cluster: BenchCluster;
    server: DatabaseServer;
    clock: Clock;
    windowStartMs: number;
    log: (line: string) => void;
  },
): Promise<ChaosEvent[]> {
  const events: ChaosEvent[] = [];
  const elapsed = () => clock.now().getTime() - windowStartMs;
  const record = (what: string) => {
    events.push({ atSeconds: Number((elapsed() / 1000).toFixed(1)), what });
    log(`t=${(elapsed() / 1000).toFixed(1)}s ${what}`);
  };
  let databaseRestarted = false;
  let frozen = false;
  await sleep(between(plan.gapMs));
  while (elapsed() < plan.windowMs - plan.quietEndMs) {
    if (!databaseRestarted && elapsed() >= plan.databaseRestartAtMs) {
      databaseRestarted = true;
      if (server.embedded) {
        const t0 = monotonicMs();
        await server.restart();
        record(
          `restarted the database server (down for ${(monotonicMs() - t0).toFixed(0)} ms)`,
        );
      } else {
        record(
          'database restart skipped: the server comes from TEST_DATABASE_URL',
        );
      }
    } else if (!frozen && elapsed() >= plan.freezeAtMs) {
      frozen = true;
      const victim = pick(cluster.schedulers);
      victim.signal('SIGSTOP');
      record(`SIGSTOP ${victim.name} for ${plan.freezeForMs / 1000} s`);
      await sleep(plan.freezeForMs);
      victim.signal('SIGCONT');
      record(`SIGCONT ${victim.name}`);
    } else {
      const victim = pick(cluster.schedulers);
      await victim.kill();
      record(`SIGKILL ${victim.name}`);
      await sleep(between(plan.deadForMs));
      await victim.start().waitReady();
      record(`restarted ${victim.name} (ready)`);
    }
    await sleep(between(plan.gapMs));
  }
  return events;
}
