import { Logger, Module } from '@nestjs/common';
import type { SchedulerConfig } from '../../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../../config/scheduler-config.token';
import { BrokerFiring } from '../broker/broker-firing';
import {
  BrokerPools,
  BrokerSupportModule,
} from '../broker/broker-support.module';
import { MqttClientFactory } from './mqtt-client';
import {
  MQTT_TRIGGER_TYPE,
  MqttTriggerProvider,
} from './mqtt.trigger-provider';

/**
 * The `mqtt` provider: one mqtt.js client per connection (its pool in BrokerPools, so
 * it is closed at shutdown and shown in /health), client ids unique to this process.
 */
@Module({
  imports: [BrokerSupportModule],
  providers: [
    {
      provide: MqttTriggerProvider,
      inject: [BrokerFiring, BrokerPools, SCHEDULER_CONFIG],
      useFactory: (
        firing: BrokerFiring,
        pools: BrokerPools,
        config: SchedulerConfig,
      ) =>
        new MqttTriggerProvider(
          firing,
          pools.pool(
            MQTT_TRIGGER_TYPE,
            new MqttClientFactory({
              schedulerId: config.schedulerId,
              policy: config.webhookNetworkPolicy,
              logger: new Logger('Broker:mqtt'),
            }),
          ),
        ),
    },
  ],
  exports: [MqttTriggerProvider],
})
export class MqttTriggerModule {}
