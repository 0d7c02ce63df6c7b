import { Logger, Module } from '@nestjs/common';
import type { SchedulerConfig } from '../../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../../config/scheduler-config.token';
import { BrokerFiring } from '../broker/broker-firing';
import {
  BrokerPools,
  BrokerSupportModule,
} from '../broker/broker-support.module';
import { RedisStreamClientFactory } from './redis-stream-client';
import {
  REDIS_STREAM_TRIGGER_TYPE,
  RedisStreamTriggerProvider,
} from './redis-stream.trigger-provider';

/**
 * The `redis-stream` trigger provider: XADDs through one node-redis client per
 * connection row, pooled by BrokerPools (closed at shutdown, shown in /health). Host
 * names are resolved through the network policy (guardedLookup).
 */
@Module({
  imports: [BrokerSupportModule],
  providers: [
    {
      provide: RedisStreamTriggerProvider,
      inject: [BrokerFiring, BrokerPools, SCHEDULER_CONFIG],
      useFactory: (
        firing: BrokerFiring,
        pools: BrokerPools,
        config: SchedulerConfig,
      ): RedisStreamTriggerProvider => {
        const factory = new RedisStreamClientFactory({
          policy: config.webhookNetworkPolicy,
          logger: new Logger('Broker:redis'),
        });
        const pool = pools.pool(REDIS_STREAM_TRIGGER_TYPE, factory);
        factory.onClosed = (id, client, reason) => {
          pool.discard(id, client, reason);
        };
        return new RedisStreamTriggerProvider(firing, pool);
      },
    },
  ],
  exports: [RedisStreamTriggerProvider],
})
export class RedisStreamTriggerModule {}
