import { Logger, Module } from '@nestjs/common';
import type { SchedulerConfig } from '../../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../../config/scheduler-config.token';
import { BrokerFiring } from '../broker/broker-firing';
import {
  BrokerPools,
  BrokerSupportModule,
} from '../broker/broker-support.module';
import { KafkaClientFactory } from './kafka-client';
import {
  KAFKA_TRIGGER_TYPE,
  KafkaTriggerProvider,
} from './kafka.trigger-provider';

/**
 * The `kafka` provider: one kafkajs producer per connection (its pool in BrokerPools, so
 * it is closed at shutdown and shown in /health).
 */
@Module({
  imports: [BrokerSupportModule],
  providers: [
    {
      provide: KafkaTriggerProvider,
      inject: [BrokerFiring, BrokerPools, SCHEDULER_CONFIG],
      useFactory: (
        firing: BrokerFiring,
        pools: BrokerPools,
        config: SchedulerConfig,
      ) =>
        new KafkaTriggerProvider(
          firing,
          pools.pool(
            KAFKA_TRIGGER_TYPE,
            new KafkaClientFactory({
              schedulerId: config.schedulerId,
              policy: config.webhookNetworkPolicy,
              logger: new Logger('Broker:kafka'),
            }),
          ),
        ),
    },
  ],
  exports: [KafkaTriggerProvider],
})
export class KafkaTriggerModule {}
