import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { errorMessage } from '@scheduleman/domain';
import { TEST_BROKERS } from '@scheduleman/testkit';
import type { BrokerDestination, BrokerTarget } from './broker-target';
import { Inbox } from './broker-target';
import { notListening } from './reachable';

/**
 * RabbitMQ: the bare client is a confirm channel publishing `mandatory` to the default
 * exchange, each publish settled by its confirm (a basic.return first = unroutable, an
 * error), as the amqp provider does. A second channel consumes the run's queue.
 */
export function amqpTarget(url = TEST_BROKERS.rabbitmq.url): BrokerTarget {
  return {
    name: 'amqp',
    connectionType: 'amqp',
    url,
    unavailable: () => notListening(url, 'rabbitmq'),
    async open(tag) {
      const queue = `bench-brokers-${tag}`;
      const model: ChannelModel = await connect(url);
      model.on('error', () => undefined);
      try {
        const channel: ConfirmChannel = await model.createConfirmChannel();
        const returned = new Set<string>();
        channel.on(
          'return',
          (message: { properties: { messageId?: string } }) => {
            if (message.properties.messageId)
              returned.add(message.properties.messageId);
          },
        );
        const consumer = await model.createChannel();
        await consumer.assertQueue(queue, {
          durable: false,
          autoDelete: false,
        });
        const inbox = new Inbox();
        await consumer.consume(
          queue,
          (message) => {
            if (message) inbox.push(message.content.toString('utf8'));
          },
          { noAck: true },
        );
        return amqpDestination(model, channel, queue, inbox, returned);
      } catch (error) {
        await model.close().catch(() => undefined);
        throw error;
      }
    },
  };
}

function amqpDestination(
  model: ChannelModel,
  channel: ConfirmChannel,
  queue: string,
  inbox: Inbox,
  returned: Set<string>,
): BrokerDestination {
  return {
    publish: (body, id) =>
      new Promise<void>((resolve, reject) => {
        channel.publish(
          '',
          queue,
          body,
          {
            mandatory: true,
            messageId: id,
            contentType: 'application/json',
            persistent: true,
          },
          (error: unknown) => {
            if (error) reject(new Error(`nacked: ${errorMessage(error)}`));
            else if (returned.delete(id))
              reject(new Error(`returned unroutable: ${id}`));
            else resolve();
          },
        );
      }),
    trigger: (connectionId) => ({
      type: 'amqp',
      connectionId,
      exchange: '',
      routingKey: queue,
    }),
    drain: (expected, timeoutMs) => inbox.drain(expected, timeoutMs),
    async close() {
      await channel.deleteQueue(queue).catch(() => undefined);
      await model.close().catch(() => undefined);
    },
  };
}
