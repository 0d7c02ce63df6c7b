import { connectAsync } from 'mqtt';
import { TEST_BROKERS } from '@scheduleman/testkit';
import type { BrokerTarget } from './broker-target';
import { Inbox } from './broker-target';
import { notListening } from './reachable';

/**
 * MQTT 5 (Mosquitto): the bare client publishes at QoS 1 and awaits each PUBACK. The
 * broker keeps nothing for a topic without subscribers, so a second client subscribes
 * (QoS 1) before anything is published and collects what arrives.
 */
export function mqttTarget(url = TEST_BROKERS.mosquitto.url): BrokerTarget {
  return {
    name: 'mqtt',
    connectionType: 'mqtt',
    url,
    unavailable: () => notListening(url, 'mosquitto'),
    async open(tag) {
      const topic = `bench/brokers/${tag}`;
      const options = { protocolVersion: 5 as const, reconnectPeriod: 0 };
      const subscriber = await connectAsync(url, {
        ...options,
        clientId: `bench-sub-${tag}`,
      });
      subscriber.on('error', () => undefined);
      const inbox = new Inbox();
      subscriber.on('message', (_topic, payload) => {
        inbox.push(payload.toString('utf8'));
      });
      await subscriber.subscribeAsync(topic, { qos: 1 });
      const publisher = await connectAsync(url, {
        ...options,
        clientId: `bench-pub-${tag}`,
      });
      publisher.on('error', () => undefined);
      return {
        async publish(body) {
          await publisher.publishAsync(topic, body, { qos: 1 });
        },
        trigger: (connectionId) => ({
          type: 'mqtt',
          connectionId,
          topic,
          qos: 1,
        }),
        drain: (expected, timeoutMs) => inbox.drain(expected, timeoutMs),
        async close() {
          await publisher.endAsync().catch(() => undefined);
          await subscriber.endAsync().catch(() => undefined);
        },
      };
    },
  };
}
