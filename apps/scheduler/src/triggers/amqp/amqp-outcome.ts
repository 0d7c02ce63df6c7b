import type { AmqpTriggerSpec, FireOutcome } from '@scheduleman/domain';
import { AMQP_OPEN_REFUSED } from './amqp-client';
import { AMQP_REPLY } from './amqp-options';
import type { PublishResult } from './amqp-publisher';

/**
 * What the broker's answer means for the execution (docs/triggers.md, "The AMQP provider"):
 * delivered only on a confirm (basic.ack) of a message no basic.return came back for;
 * an unroutable message, a missing exchange and a refused access fail for good (a retry
 * meets the same configuration); a nack, a closed channel, a lost connection and a
 * blocked broker are worth a retry, which carries the same messageId.
 */
export function outcomeForPublish(
  result: PublishResult,
  trigger: Pick<AmqpTriggerSpec, 'exchange' | 'routingKey'>,
): FireOutcome {
  switch (result.kind) {
    case 'acked':
      return { kind: 'delivered' };
    case 'returned':
      return {
        kind: 'permanent',
        error: `unroutable: no queue is bound to exchange ${exchangeLabel(trigger.exchange)} with routing key "${trigger.routingKey}" (${String(result.replyCode)} ${result.replyText})`,
      };
    case 'nacked':
      return {
        kind: 'retryable',
        error: 'the broker did not take the message (basic.nack)',
      };
    case 'refused':
      return {
        kind: 'permanent',
        error:
          result.code === AMQP_REPLY.notFound
            ? `exchange ${exchangeLabel(trigger.exchange)} does not exist (${result.reason})`
            : `access refused (${result.reason})`,
      };
    case 'channel-closed':
      return {
        kind: 'retryable',
        error:
          result.unsent === true
            ? `not sent: ${result.reason}`
            : `not confirmed, ${result.reason} (ambiguous: the message may be queued)`,
      };
    case 'connection-lost':
      return {
        kind: 'retryable',
        error: `connection lost: ${result.reason}`,
      };
    case 'blocked':
      return {
        kind: 'retryable',
        error: `the broker blocks publishers (${result.reason})`,
      };
  }
}

/**
 * The signal fired before the confirm: the message may have reached a queue, so the
 * retry may make a second copy. It carries the same messageId and Idempotency-Key, which
 * is what consumers dedupe on (RabbitMQ itself keeps no memory of message ids).
 */
export function outcomeForTimeout(elapsedMs: number): FireOutcome {
  return {
    kind: 'retryable',
    error: `timeout after ${String(Math.round(elapsedMs))} ms waiting for the broker's confirm (ambiguous: the message may be queued)`,
  };
}

/**
 * BrokerFiring's outcome before any publish. An open the broker refused (credentials,
 * virtual host) would be refused again: permanent, though the pool reports it retryable
 * as it does every failed open but the address guard's.
 */
export function outcomeForPrepare(outcome: FireOutcome): FireOutcome {
  if (outcome.kind === 'retryable' && outcome.error.includes(AMQP_OPEN_REFUSED))
    return { kind: 'permanent', error: outcome.error };
  return outcome;
}

function exchangeLabel(exchange: string): string {
  return exchange === '' ? '"" (the default exchange)' : `"${exchange}"`;
}
