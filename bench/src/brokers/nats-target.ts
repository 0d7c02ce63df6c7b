import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { sleep, TEST_BROKERS } from '@scheduleman/testkit';
import type { BrokerTarget } from './broker-target';
import { notListening } from './reachable';

/**
 * NATS JetStream: the bare client publishes with `msgID` (the provider's Nats-Msg-Id
 * dedup) and awaits each PubAck. The run's stream captures one subject; what arrived is
 * read back from the stream after the fact (no consumer competes during the measurement).
 */
export function natsTarget(url = TEST_BROKERS.nats.url): BrokerTarget {
  return {
    name: 'nats',
    connectionType: 'nats',
    url,
    unavailable: () => notListening(url, 'nats'),
    async open(tag) {
      const { host } = new URL(url);
      const connection = await connect({ servers: host });
      const stream = `bench_brokers_${tag.replace(/-/g, '_')}`;
      const subject = `bench.brokers.${tag}`;
      const js = jetstream(connection);
      const jsm = await jetstreamManager(connection);
      await jsm.streams.add({ name: stream, subjects: [subject] });
      let readUpTo = 0;
      return {
        async publish(body, id) {
          await js.publish(subject, body, { msgID: id });
        },
        trigger: (connectionId) => ({ type: 'nats', connectionId, subject }),
        async drain(expected, timeoutMs) {
          const deadline = performance.now() + timeoutMs;
          let last = (await jsm.streams.info(stream)).state.last_seq;
          while (last - readUpTo < expected && performance.now() < deadline) {
            await sleep(100);
            last = (await jsm.streams.info(stream)).state.last_seq;
          }
          const seqs = Array.from(
            { length: last - readUpTo },
            (_, i) => readUpTo + 1 + i,
          );
          readUpTo = last;
          const bodies: string[] = [];
          for (let i = 0; i < seqs.length; i += 100) {
            const batch = await Promise.all(
              seqs
                .slice(i, i + 100)
                .map((seq) => jsm.streams.getMessage(stream, { seq })),
            );
            for (const message of batch)
              if (message) bodies.push(message.string());
          }
          return bodies;
        },
        async close() {
          await jsm.streams.delete(stream).catch(() => undefined);
          await connection.close();
        },
      };
    },
  };
}
