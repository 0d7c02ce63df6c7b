import type {
  FireOutcome,
  FireRequest,
  NatsTriggerSpec,
  TriggerProvider,
} from '@scheduleman/domain';
import type { BrokerClientPool } from '../broker/broker-client-pool';
import type { BrokerFiring } from '../broker/broker-firing';
import {
  ambiguousTimeout,
  remainingBudgetMs,
} from '../broker/publish-deadline';
import { ABORTED, raceSignal } from '../broker/race-signal';
import type { NatsClient } from './nats-client';
import {
  isNatsConnectionClosed,
  natsOutcomeForAck,
  natsOutcomeForError,
} from './nats-outcome';

export const NATS_TRIGGER_TYPE = 'nats';

/**
 * Publishes one attempt to JetStream (architecture.md, "Connections and broker
 * triggers"): initiated = the stream's PubAck. `Nats-Msg-Id` is the execution id, so a
 * retry inside the stream's duplicate_window (2 min by default) is answered
 * `duplicate: true` and stored once; that answer is delivered. The PubAck wait gets what
 * is left of the attempt's budget (TRIGGER_TIMEOUT_MS); an attempt cut by it is
 * ambiguous and retried with the same Nats-Msg-Id. Never throws.
 *
 * One connection per connection row, shared by every fire (nats.js multiplexes the
 * requests of concurrent fires on it); its closing by itself discards it from the pool.
 */
export class NatsTriggerProvider implements TriggerProvider {
  readonly type = NATS_TRIGGER_TYPE;

  constructor(
    private readonly firing: BrokerFiring,
    private readonly pool: BrokerClientPool<NatsClient>,
    /** TRIGGER_TIMEOUT_MS: the budget the FireExecutor gives every attempt. */
    private readonly budgetMs: number,
  ) {}

  async fire(
    request: FireRequest,
    { signal }: { signal: AbortSignal },
  ): Promise<FireOutcome> {
    const startedAt = performance.now();
    const prepared = await this.firing.prepare<NatsTriggerSpec, NatsClient>(
      request,
      NATS_TRIGGER_TYPE,
      this.pool,
      signal,
    );
    if ('kind' in prepared) return prepared;
    const { trigger, client, message, connection } = prepared;
    if (client.state !== 'up')
      return {
        kind: 'retryable',
        error: `the NATS connection "${connection.name}" is reconnecting`,
      };
    const timeoutMs = remainingBudgetMs(startedAt, this.budgetMs);
    try {
      const ack = await raceSignal(
        client.publish(
          trigger.subject,
          message.body,
          message.contentType,
          message.headers,
          request.executionId,
          timeoutMs,
        ),
        signal,
      );
      if (ack === ABORTED)
        return {
          kind: 'retryable',
          error: ambiguousTimeout(performance.now() - startedAt, 'Nats-Msg-Id'),
        };
      return natsOutcomeForAck(ack);
    } catch (error) {
      if (isNatsConnectionClosed(error))
        this.pool.discard(connection.id, client, 'the NATS connection closed');
      return natsOutcomeForError(error, {
        subject: trigger.subject,
        timeoutMs,
        jetstream: client.jetstream,
      });
    }
  }
}
