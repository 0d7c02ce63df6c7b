import { Logger, Module } from '@nestjs/common';
import type { SchedulerConfig } from '../../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../../config/scheduler-config.token';
import { BrokerFiring } from '../broker/broker-firing';
import {
  BrokerPools,
  BrokerSupportModule,
} from '../broker/broker-support.module';
import { NatsClientFactory } from './nats-client';
import {
  NATS_TRIGGER_TYPE,
  NatsTriggerProvider,
} from './nats.trigger-provider';

/**
 * The `nats` trigger provider: JetStream publishes through one nats.js connection per
 * connection row, pooled by BrokerPools (closed at shutdown, shown in /health).
 */
@Module({
  imports: [BrokerSupportModule],
  providers: [
    {
      provide: NatsTriggerProvider,
      inject: [BrokerFiring, BrokerPools, SCHEDULER_CONFIG],
      useFactory: (
        firing: BrokerFiring,
        pools: BrokerPools,
        config: SchedulerConfig,
      ): NatsTriggerProvider => {
        const factory = new NatsClientFactory({
          logger: new Logger('Broker:nats'),
        });
        const pool = pools.pool(NATS_TRIGGER_TYPE, factory);
        factory.onClosed = (id, client, reason) => {
          pool.discard(id, client, reason);
        };
        return new NatsTriggerProvider(firing, pool, config.triggerTimeoutMs);
      },
    },
  ],
  exports: [NatsTriggerProvider],
})
export class NatsTriggerModule {}
