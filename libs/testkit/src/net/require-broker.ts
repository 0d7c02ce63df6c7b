import { connect } from 'node:net';

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
 * Fails (rejects) loudly when a broker the suite needs does not accept connections on
 * loopback: the suite's beforeAll awaits this, so every test of it fails with a message
 * naming the broker and how to start it. Never a skip: a suite that could not run is
 * never counted as passed.
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
        `This suite needs the real ${broker}; start it (${start}) and run again. ` +
        'The suite is failed, not skipped.',
    );
  return url;
}
