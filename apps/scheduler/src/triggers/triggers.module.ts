import { Module, type Type } from '@nestjs/common';
import type { TriggerProvider } from '@scheduleman/domain';
import { KafkaTriggerModule } from './kafka/kafka-trigger.module';
import { KafkaTriggerProvider } from './kafka/kafka.trigger-provider';
import { MqttTriggerModule } from './mqtt/mqtt-trigger.module';
import { MqttTriggerProvider } from './mqtt/mqtt.trigger-provider';
import { AmqpTriggerModule } from './amqp/amqp-trigger.module';
import { AmqpTriggerProvider } from './amqp/amqp.trigger-provider';
import { TriggerRegistry } from './trigger-registry';
import { TRIGGER_PROVIDERS } from './trigger-providers.token';
import { NatsTriggerModule } from './nats/nats-trigger.module';
import { NatsTriggerProvider } from './nats/nats.trigger-provider';
import { RedisStreamTriggerModule } from './redis-stream/redis-stream-trigger.module';
import { RedisStreamTriggerProvider } from './redis-stream/redis-stream.trigger-provider';
import { WebhookTriggerModule } from './webhook/webhook-trigger.module';
import { WebhookTriggerProvider } from './webhook/webhook.trigger-provider';

/**
 * Every trigger provider the scheduler can fire: a Nest module that exports the provider
 * class. Adding one (a queue, a FaaS, a workflow engine) is a new folder next to
 * webhook/ and one line here; see docs/triggers.md.
 */
const PROVIDERS: readonly { module: Type; provider: Type<TriggerProvider> }[] =
  [
    { module: WebhookTriggerModule, provider: WebhookTriggerProvider },
    { module: MqttTriggerModule, provider: MqttTriggerProvider },
    { module: KafkaTriggerModule, provider: KafkaTriggerProvider },
    { module: AmqpTriggerModule, provider: AmqpTriggerProvider },
    { module: NatsTriggerModule, provider: NatsTriggerProvider },
    { module: RedisStreamTriggerModule, provider: RedisStreamTriggerProvider },
  ];

@Module({
  imports: PROVIDERS.map((p) => p.module),
  providers: [
    {
      provide: TRIGGER_PROVIDERS,
      inject: PROVIDERS.map((p) => p.provider),
      useFactory: (...providers: TriggerProvider[]) => providers,
    },
    TriggerRegistry,
  ],
  exports: [TriggerRegistry],
})
export class TriggersModule {}
