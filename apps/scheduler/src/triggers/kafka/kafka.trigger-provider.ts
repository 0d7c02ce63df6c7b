import type {
  FireOutcome,
  FireRequest,
  KafkaTriggerSpec,
  TriggerProvider,
} from '@scheduleman/domain';
import type { BrokerClientPool } from '../broker/broker-client-pool';
import type { BrokerFiring } from '../broker/broker-firing';
import { ABORTED, raceSignal } from '../broker/race-signal';
import type { KafkaPublisher } from './kafka-client';
import {
  isConnectionError,
  outcomeForSendError,
  outcomeForTimeout,
} from './kafka-outcome';

export const KAFKA_TRIGGER_TYPE = 'kafka';

/**
 * Produces one attempt of a `kafka` trigger (docs/triggers.md, "kafka"): one record,
 * key = the trigger's `key` or the schedule id (a schedule's records stay in order on
 * one partition), value = the contract body, headers = the contract's metadata.
 * Initiated = the produce answer with acks=-1.
 *
 * kafkajs takes no AbortSignal: the send is raced against it, and a send still open
 * when it aborts is an ambiguous timeout. A connection error closes the producer
 * (pool.discard); the next attempt opens a new one, after the pool's address check.
 */
export class KafkaTriggerProvider implements TriggerProvider {
  readonly type = KAFKA_TRIGGER_TYPE;

  constructor(
    private readonly firing: BrokerFiring,
    private readonly pool: BrokerClientPool<KafkaPublisher>,
  ) {}

  async fire(
    request: FireRequest,
    { signal }: { signal: AbortSignal },
  ): Promise<FireOutcome> {
    const prepared = await this.firing.prepare<
      KafkaTriggerSpec,
      KafkaPublisher
    >(request, KAFKA_TRIGGER_TYPE, this.pool, signal);
    if ('kind' in prepared) return prepared;
    const { trigger, client, message, connection } = prepared;
    const startedAt = performance.now();
    if (signal.aborted) return outcomeForTimeout(0);
    try {
      const settled = await raceSignal(
        client.send(trigger.topic, {
          key: trigger.key ?? request.scheduleId,
          value: message.body,
          headers: message.headers,
        }),
        signal,
      );
      if (settled === ABORTED)
        return outcomeForTimeout(performance.now() - startedAt);
      return { kind: 'delivered' };
    } catch (error) {
      const outcome = outcomeForSendError(error);
      if (isConnectionError(error))
        this.pool.discard(connection.id, client, outcome.error);
      return outcome;
    }
  }
}
