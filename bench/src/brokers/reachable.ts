import { connect } from 'node:net';
import { TEST_BROKERS, type TestBroker } from '@scheduleman/testkit';

/**
 * Why a broker cannot be measured: nothing accepts TCP connections on its port (said
 * with how to start it), or undefined when something does.
 */
export async function notListening(
  url: string,
  broker: TestBroker,
): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  const target = {
    host: hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(port) || TEST_BROKERS[broker].port,
  };
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect(target);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => {
      done(false);
    });
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
  return reachable
    ? undefined
    : `${broker} does not accept connections on ${target.host}:${String(target.port)} (start it: ${TEST_BROKERS[broker].start})`;
}
