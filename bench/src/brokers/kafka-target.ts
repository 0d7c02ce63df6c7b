import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import type { BrokerDestination, BrokerTarget } from './broker-target';
import { Inbox } from './broker-target';

/**
 * Kafka, as far as this machine can: librdkafka's mock cluster, started by a `kcat`
 * consumer of the run's topic (its stderr names the bootstrap address; its stdout is one
 * message value per line). A protocol check, not Kafka: no real ISR, acks=-1 holds
 * trivially (docs/research, "traps"). The bare client is KafkaJS with acks=-1, not
 * idempotent (the mock refuses the idempotent init), one send per message.
 */
export function kafkaTarget(): BrokerTarget {
  let bootstrap = 'kafka://127.0.0.1:9092';
  return {
    name: 'kafka',
    connectionType: 'kafka',
    get url() {
      return bootstrap;
    },
    unavailable: () =>
      Promise.resolve(
        spawnSync('kcat', ['-V']).error
          ? 'no kcat (apt-get install kcat: its librdkafka mock cluster)'
          : undefined,
      ),
    async open(tag) {
      const topic = `bench-brokers-${tag}`;
      const { child, address, inbox } = await startMockConsumer(topic);
      bootstrap = `kafka://${address}`;
      const kafka = new Kafka({
        clientId: `bench-${tag}`,
        brokers: [address],
        logLevel: logLevel.NOTHING,
      });
      const producer = kafka.producer({
        idempotent: false,
        allowAutoTopicCreation: true,
      });
      try {
        await producer.connect();
      } catch (error) {
        child.kill('SIGKILL');
        throw error;
      }
      return kafkaDestination(topic, producer, child, inbox);
    },
  };
}

function kafkaDestination(
  topic: string,
  producer: ReturnType<Kafka['producer']>,
  child: ChildProcess,
  inbox: Inbox,
): BrokerDestination {
  return {
    async publish(body, id) {
      await producer.send({
        topic,
        acks: -1,
        messages: [{ key: id, value: body }],
      });
    },
    trigger: (connectionId) => ({ type: 'kafka', connectionId, topic }),
    drain: (expected, timeoutMs) => inbox.drain(expected, timeoutMs),
    async close() {
      await producer.disconnect().catch(() => undefined);
      child.kill('SIGTERM');
    },
  };
}

/** A kcat consumer with its own mock cluster; resolves once the cluster's address is known. */
function startMockConsumer(
  topic: string,
): Promise<{ child: ChildProcess; address: string; inbox: Inbox }> {
  const child = spawn(
    'kcat',
    [
      '-b',
      '127.0.0.1:1',
      '-X',
      'test.mock.num.brokers=1',
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-f',
      '%s\\n',
      '-u',
      '-q',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const inbox = new Inbox();
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line) inbox.push(line);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('kcat printed no mock cluster address within 5 s'));
    }, 5_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      const address = /replaced with (\S+)/.exec(line)?.[1];
      if (address) {
        clearTimeout(timer);
        resolve({ child, address, inbox });
      }
    });
  });
}
