import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import type * as JestGlobals from '@jest/globals';

/** The brokers this machine runs for the integration tests (docs/workspace.md). */
export const TEST_BROKERS = {
  rabbitmq: {
    url: process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
    port: 5672,
    start: 'service rabbitmq-server start',
  },
  nats: {
    url: process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222',
    port: 4222,
    start: 'nats-server -js (JetStream on)',
  },
  redis: {
    url: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    port: 6379,
    start: 'service redis-server start',
  },
  mosquitto: {
    url: process.env['TEST_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883',
    port: 1883,
    start: 'service mosquitto start',
  },
} as const;

export type TestBroker = keyof typeof TEST_BROKERS;

/**
 * Jest's `describe` and `it`, read from the globals Jest injects when called: importing
 * '@jest/globals' throws outside Jest, and the bench bundles the whole testkit.
 */
function jestGlobals(): Pick<typeof JestGlobals, 'describe' | 'it'> {
  return globalThis as unknown as Pick<typeof JestGlobals, 'describe' | 'it'>;
}

/** The words every "did not run" line starts with; tools/test.mjs counts them. */
export const BROKER_ABSENT_MARK = 'BROKER ABSENT, NOT RUN';

const probed = new Map<number, boolean>();

/**
 * Whether something accepts TCP connections on 127.0.0.1:`port`, asked synchronously (a
 * child process tries for at most 1.5 s), because Jest collects `describe` blocks
 * synchronously. Remembered per process.
 */
export function isListeningSync(port: number): boolean {
  const known = probed.get(port);
  if (known !== undefined) return known;
  const script = `const s=require('node:net').connect({host:'127.0.0.1',port:${String(port)}});s.setTimeout(1500,()=>process.exit(1));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));`;
  const result = spawnSync(process.execPath, ['-e', script], {
    timeout: 3_000,
  });
  const listening = result.status === 0;
  probed.set(port, listening);
  return listening;
}

/**
 * `describe` for a suite that needs a real broker. When the broker accepts connections
 * the suite runs (on this kind of machine, always). When it does not, the suite is
 * **skipped, loudly**: its title says `BROKER ABSENT, NOT RUN: <broker>`, a warning says
 * how to start it, its tests count as skipped (never as passed), and tools/test.mjs
 * lists it after the run. `REQUIRE_BROKERS=true` turns an absent broker into a failure
 * (for a CI machine that is meant to have them).
 */
export function describeWithBroker(
  broker: TestBroker,
  title: string,
  suite: () => void,
): void {
  const { port, start } = TEST_BROKERS[broker];
  describeIfAvailable(
    broker,
    isListeningSync(port)
      ? undefined
      : `${broker} does not accept connections on 127.0.0.1:${String(port)}; start it (${start})`,
    title,
    suite,
  );
}

/**
 * `describe(title, suite)` when `absentBecause` is undefined; otherwise the suite is
 * skipped loudly under a title that starts with BROKER_ABSENT_MARK and names `what`,
 * or fails when REQUIRE_BROKERS=true (see describeWithBroker).
 */
export function describeIfAvailable(
  what: string,
  absentBecause: string | undefined,
  title: string,
  suite: () => void,
): void {
  const { describe, it } = jestGlobals();
  if (absentBecause === undefined) {
    describe(title, suite);
    return;
  }
  const message = `${BROKER_ABSENT_MARK}: ${absentBecause}, to run "${title}"`;
  if (process.env['REQUIRE_BROKERS'] === 'true') {
    describe(title, () => {
      it('needs its broker (REQUIRE_BROKERS=true)', () => {
        throw new Error(message);
      });
    });
    return;
  }
  process.stderr.write(`\n*** ${message} ***\n`);
  describe.skip(`${BROKER_ABSENT_MARK}: ${what}: ${title}`, suite);
}

/**
 * The broker's URL, after checking that it accepts connections now (it may have gone
 * away since the suite was collected): a clear error naming the broker otherwise.
 */
export async function requireBroker(
  broker: TestBroker,
  timeoutMs = 2_000,
): Promise<string> {
  const { url, port, start } = TEST_BROKERS[broker];
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => {
      done(false);
    });
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
  if (!reachable)
    throw new Error(
      `BROKER MISSING: ${broker} does not accept connections on 127.0.0.1:${String(port)}. ` +
        `This suite needs the real ${broker}; start it (${start}) and run again.`,
    );
  return url;
}
