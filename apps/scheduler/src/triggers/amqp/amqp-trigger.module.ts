import { Logger, Module } from '@nestjs/common';
import type { SchedulerConfig } from '../../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../../config/scheduler-config.token';
import { BrokerFiring } from '../broker/broker-firing';
import {
  BrokerPools,
  BrokerSupportModule,
} from '../broker/broker-support.module';
import { AmqpClientFactory } from './amqp-client';
import {
  AMQP_TRIGGER_TYPE,
  AmqpTriggerProvider,
} from './amqp.trigger-provider';

/**
 * The `amqp` provider: its pool of connections (one per connection row, closed at
 * shutdown by BrokerPools, shown in /health) opened by AmqpClientFactory under the
 * scheduler's network policy. A connection that breaks is discarded from the pool at
 * once, so the next fire reopens it.
 */
@Module({
  imports: [BrokerSupportModule],
  providers: [
    {
      provide: AmqpTriggerProvider,
      inject: [BrokerFiring, BrokerPools, SCHEDULER_CONFIG],
      useFactory: (
        firing: BrokerFiring,
        pools: BrokerPools,
        config: SchedulerConfig,
      ) => {
        const logger = new Logger('Trigger:amqp');
        const factory = new AmqpClientFactory({
          policy: config.webhookNetworkPolicy,
          logger,
        });
        const pool = pools.pool(AMQP_TRIGGER_TYPE, factory);
        factory.onBroken = (connectionId, client, reason) => {
          pool.discard(connectionId, client, reason);
        };
        return new AmqpTriggerProvider(firing, pool, logger);
      },
    },
  ],
  exports: [AmqpTriggerProvider],
})
export class AmqpTriggerModule {}
