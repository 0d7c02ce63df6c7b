import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import {
  type ConnectionType,
  type CreateScheduleRequest,
  type ScheduleSpecInput,
} from '@scheduleman/domain';
import { TEST_BROKERS, type TestBroker } from '@scheduleman/testkit';
import { connect as connectAmqp } from 'amqplib';
import { connect as connectMqtt } from 'mqtt';
import { createClient } from 'redis';

/**
 * Consumers of the real brokers for the broker end-to-end tests: each one reads what the
 * schedulers published, as a user's consumer would, with the broker's own client.
 */

/** One message as a consumer saw it. */
export interface Received {
  body: Record<string, unknown>;
  /** The metadata, whatever the protocol called it (headers, user properties, fields). */
  headers: Record<string, string>;
}

export interface BrokerTarget {
  broker: TestBroker;
  connectionType: ConnectionType;
  /** The real broker's port: the connection goes through a TcpProxy in front of it. */
  port: number;
  /** The connection URL for `host:port` (the proxy). */
  url(port: number): string;
  /** Creates what the messages go to (a queue, a stream), and a consumer on it. */
  open(): Promise<Consumer>;
}

export interface Consumer {
  /** The trigger of a schedule that publishes here through `connectionId`. */
  trigger(connectionId: string): CreateScheduleRequest['trigger'];
  /** Everything received so far. */
  received(): Promise<Received[]>;
  close(): Promise<void>;
}

const decoder = new TextDecoder();

function parse(data: Uint8Array | Buffer | string): Record<string, unknown> {
  const text = typeof data === 'string' ? data : decoder.decode(data);
  return JSON.parse(text) as Record<string, unknown>;
}

const AMQP: BrokerTarget = {
  broker: 'rabbitmq',
  connectionType: 'amqp',
  port: TEST_BROKERS.rabbitmq.port,
  url: (port) => `amqp://guest:guest@127.0.0.1:${String(port)}`,
  async open() {
    const queue = `e2e-${randomUUID()}`;
    const connection = await connectAmqp(TEST_BROKERS.rabbitmq.url);
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, { durable: false, autoDelete: false });
    const seen: Received[] = [];
    await channel.consume(
      queue,
      (message) => {
        if (message === null) return;
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(
          message.properties.headers ?? {},
        ))
          headers[name] = String(value);
        seen.push({ body: parse(message.content), headers });
      },
      { noAck: true },
    );
    return {
      trigger: (connectionId) => ({
        type: 'amqp',
        connectionId,
        exchange: '',
        routingKey: queue,
      }),
      received: () => Promise.resolve([...seen]),
      async close() {
        await channel.deleteQueue(queue);
        await connection.close();
      },
    };
  },
};

const NATS: BrokerTarget = {
  broker: 'nats',
  connectionType: 'nats',
  port: TEST_BROKERS.nats.port,
  url: (port) => `nats://127.0.0.1:${String(port)}`,
  async open() {
    const name = `e2e_${randomUUID().replaceAll('-', '')}`;
    const subject = `e2e.${name}`;
    const nc = await connectNats({ servers: TEST_BROKERS.nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name, subjects: [subject] });
    return {
      trigger: (connectionId) => ({ type: 'nats', connectionId, subject }),
      async received() {
        const info = await jsm.streams.info(name);
        const out: Received[] = [];
        for (
          let seq = info.state.first_seq;
          seq <= info.state.last_seq;
          seq++
        ) {
          const message = await jsm.streams.getMessage(name, { seq });
          if (message === null) continue;
          const headers: Record<string, string> = {};
          for (const key of message.header.keys())
            headers[key] = message.header.get(key);
          out.push({ body: parse(message.data), headers });
        }
        return out;
      },
      async close() {
        await jsm.streams.delete(name);
        await nc.close();
      },
    };
  },
};

const REDIS: BrokerTarget = {
  broker: 'redis',
  connectionType: 'redis',
  port: TEST_BROKERS.redis.port,
  url: (port) => `redis://127.0.0.1:${String(port)}`,
  async open() {
    const stream = `e2e:${randomUUID()}`;
    const client = createClient({ url: TEST_BROKERS.redis.url });
    client.on('error', () => undefined);
    await client.connect();
    return {
      trigger: (connectionId) => ({
        type: 'redis-stream',
        connectionId,
        stream,
      }),
      async received() {
        const entries = await client.xRange(stream, '-', '+');
        return (entries ?? []).map((entry) => {
          const { body = '{}', ...headers } = entry.message as Record<
            string,
            string
          >;
          return { body: parse(body), headers };
        });
      },
      async close() {
        await client.del(stream);
        await client.quit();
      },
    };
  },
};

const MQTT: BrokerTarget = {
  broker: 'mosquitto',
  connectionType: 'mqtt',
  port: TEST_BROKERS.mosquitto.port,
  url: (port) => `mqtt://127.0.0.1:${String(port)}`,
  async open() {
    const topic = `e2e/${randomUUID()}`;
    const client = await new Promise<ReturnType<typeof connectMqtt>>(
      (resolve, reject) => {
        const c = connectMqtt(TEST_BROKERS.mosquitto.url, {
          protocolVersion: 5,
          clientId: `e2e-consumer-${randomUUID()}`,
        });
        c.once('connect', () => {
          resolve(c);
        });
        c.once('error', reject);
      },
    );
    const seen: Received[] = [];
    client.on('message', (_topic, payload, packet) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(
        packet.properties?.userProperties ?? {},
      ))
        headers[name] = Array.isArray(value) ? value.join(',') : value;
      seen.push({ body: parse(payload), headers });
    });
    await client.subscribeAsync(topic, { qos: 1 });
    return {
      trigger: (connectionId) => ({ type: 'mqtt', connectionId, topic }),
      received: () => Promise.resolve([...seen]),
      async close() {
        await client.endAsync();
      },
    };
  },
};

/** Every broker the machine runs, in the order the tests take them. */
export const BROKER_TARGETS: readonly BrokerTarget[] = [
  AMQP,
  NATS,
  REDIS,
  MQTT,
];

/** A schedule body publishing through `consumer`. */
export function brokerSchedule(
  name: string,
  schedule: ScheduleSpecInput,
  consumer: Consumer,
  connectionId: string,
): CreateScheduleRequest {
  return { name, schedule, trigger: consumer.trigger(connectionId) };
}
