import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { connectAsync, type MqttClient } from 'mqtt';
import { sleep, TEST_BROKERS } from '@scheduleman/testkit';
import type { BrokerTarget } from './broker-target';
import { Inbox } from './broker-target';
import { notListening } from './reachable';

/**
 * MQTT 5 (Mosquitto): the bare client publishes at QoS 1 and awaits each PUBACK. The
 * broker keeps nothing for a topic without subscribers, so a subscriber (QoS 1) is in
 * place before anything is published. It is `mosquitto_sub`, in its own process, where
 * installed: Mosquitto drops QoS 1 messages for a subscriber more than
 * max_queued_messages (1,000 by default) behind, and an mqtt.js subscriber in the
 * harness's own busy event loop fell that far behind the bare client once (74 of 2,200
 * dropped at load 11). Without it, an mqtt.js subscriber in this process.
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
      const publisher = await connectAsync(url, {
        ...options,
        clientId: `bench-pub-${tag}`,
      });
      publisher.on('error', () => undefined);
      const inbox = new Inbox();
      let subscriber: { close(): Promise<void> };
      try {
        subscriber = spawnSync('mosquitto_sub', ['--help']).error
          ? await mqttJsSubscriber(url, topic, tag, inbox)
          : await mosquittoSub(url, topic, tag, inbox, publisher);
      } catch (error) {
        await publisher.endAsync().catch(() => undefined);
        throw error;
      }
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
          await subscriber.close();
        },
      };
    },
  };
}

async function mqttJsSubscriber(
  url: string,
  topic: string,
  tag: string,
  inbox: Inbox,
): Promise<{ close(): Promise<void> }> {
  const client = await connectAsync(url, {
    protocolVersion: 5,
    reconnectPeriod: 0,
    clientId: `bench-sub-${tag}`,
  });
  client.on('error', () => undefined);
  client.on('message', (_topic, payload) => {
    inbox.push(payload.toString('utf8'));
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return { close: () => client.endAsync().catch(() => undefined) };
}

/** The payload the bench publishes until mosquitto_sub prints it: then it is subscribed. */
const SENTINEL = 'bench-subscribed';

/**
 * mosquitto_sub prints one payload per line (the bodies are one-line JSON). It says
 * nothing when its subscription is in place, so a sentinel is published until it shows.
 */
async function mosquittoSub(
  url: string,
  topic: string,
  tag: string,
  inbox: Inbox,
  publisher: MqttClient,
): Promise<{ close(): Promise<void> }> {
  const { hostname, port } = new URL(url);
  const child: ChildProcess = spawn(
    'mosquitto_sub',
    [
      ...['-h', hostname, '-p', port || '1883', '-V', 'mqttv5', '-q', '1'],
      ...['-t', topic, '-i', `bench-sub-${tag}`],
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const state = { subscribed: false };
  if (child.stdout)
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === SENTINEL) state.subscribed = true;
      else if (line) inbox.push(line);
    });
  const close = () => {
    child.kill('SIGTERM');
    return Promise.resolve();
  };
  for (let i = 0; !state.subscribed; i++) {
    if (i === 50 || child.exitCode !== null) {
      await close();
      throw new Error('mosquitto_sub did not subscribe within 5 s');
    }
    await publisher.publishAsync(topic, SENTINEL, { qos: 1 });
    await sleep(100);
  }
  return { close };
}
