import type { LoggerService } from '@nestjs/common';
import type {
  AmqpTriggerSpec,
  FireOutcome,
  FireRequest,
  TriggerProvider,
} from '@scheduleman/domain';
import type { BrokerClientPool } from '../broker/broker-client-pool';
import type { BrokerFiring } from '../broker/broker-firing';
import { amqpPublishOptions } from './amqp-options';
import {
  outcomeForPrepare,
  outcomeForPublish,
  outcomeForTimeout,
} from './amqp-outcome';
import type { AmqpPublisher, PublishResult } from './amqp-publisher';

export const AMQP_TRIGGER_TYPE = 'amqp';

/**
 * Fires an `amqp` trigger: one persistent, mandatory message on the connection's shared
 * confirm channel, initiated once the broker confirms it with no basic.return
 * (docs/triggers.md, "The AMQP provider"). Never throws.
 *
 * amqplib takes no AbortSignal, so the publish is raced against the signal; a confirm
 * that arrives after the abort is logged against the execution, nothing more (the
 * attempt is already recorded as a retryable timeout).
 */
export class AmqpTriggerProvider implements TriggerProvider {
  readonly type = AMQP_TRIGGER_TYPE;

  constructor(
    private readonly firing: BrokerFiring,
    private readonly pool: BrokerClientPool<AmqpPublisher>,
    private readonly logger?: LoggerService,
  ) {}

  async fire(
    request: FireRequest,
    { signal }: { signal: AbortSignal },
  ): Promise<FireOutcome> {
    const prepared = await this.firing.prepare<AmqpTriggerSpec, AmqpPublisher>(
      request,
      AMQP_TRIGGER_TYPE,
      this.pool,
      signal,
    );
    if ('kind' in prepared) return outcomeForPrepare(prepared);
    const { trigger, connection, client, message } = prepared;
    const broken = client.broken;
    if (broken !== undefined) {
      // It broke between the pool handing it out and now; the next fire opens another.
      this.pool.discard(connection.id, client, broken);
      return { kind: 'retryable', error: `connection lost: ${broken}` };
    }
    const startedAt = performance.now();
    const publishing = client.publish({
      exchange: trigger.exchange,
      routingKey: trigger.routingKey,
      content: Buffer.from(message.body),
      options: amqpPublishOptions(request.executionId, message),
    });
    const result = await untilAborted(publishing, signal);
    if (result === ABORTED) {
      void publishing.then((late) => {
        this.logger?.warn({
          msg: 'an AMQP confirm arrived after the attempt timed out',
          executionId: request.executionId,
          attempt: request.attempt,
          result: late.kind,
        });
      });
      return outcomeForTimeout(performance.now() - startedAt);
    }
    return outcomeForPublish(result, trigger);
  }
}

const ABORTED = Symbol('aborted');

/** The publish's result, or ABORTED as soon as `signal` fires; the listener is always removed. */
function untilAborted(
  publishing: Promise<PublishResult>,
  signal: AbortSignal,
): Promise<PublishResult | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve) => {
    const onAbort = () => {
      resolve(ABORTED);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void publishing.then((result) => {
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    });
  });
}
