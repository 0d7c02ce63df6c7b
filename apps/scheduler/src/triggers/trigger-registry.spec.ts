import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { FireOutcome, TriggerProvider } from '@scheduleman/domain';
import { ReadinessRegistry, SecretsModule } from '@scheduleman/runtime';
import { TEST_SECRETS_KEY } from '@scheduleman/testkit';
import { loadSchedulerConfig } from '../config/scheduler.config';
import { SchedulerConfigModule } from '../config/scheduler-config.module';
import { KafkaTriggerProvider } from './kafka/kafka.trigger-provider';
import { MqttTriggerProvider } from './mqtt/mqtt.trigger-provider';
import { AmqpTriggerProvider } from './amqp/amqp.trigger-provider';
import { NatsTriggerProvider } from './nats/nats.trigger-provider';
import { RedisStreamTriggerProvider } from './redis-stream/redis-stream.trigger-provider';
import { TriggerRegistry } from './trigger-registry';
import { TriggersModule } from './triggers.module';
import { WebhookTriggerProvider } from './webhook/webhook.trigger-provider';

/**
 * What the scheduler's DatabaseModule and HealthModule provide globally (the broker
 * pools register their /health probe); nothing is queried here.
 */
@Global()
@Module({
  providers: [
    { provide: getDataSourceToken(), useValue: {} },
    ReadinessRegistry,
  ],
  exports: [getDataSourceToken(), ReadinessRegistry],
})
class NoDatabaseModule {}

function fakeProvider(type: string): TriggerProvider {
  return {
    type,
    fire: (): Promise<FireOutcome> => Promise.resolve({ kind: 'delivered' }),
  };
}

describe('TriggerRegistry', () => {
  it('finds a provider by its type', () => {
    const queue = fakeProvider('queue');
    const registry = new TriggerRegistry([fakeProvider('webhook'), queue]);

    expect(registry.get('queue')).toBe(queue);
    expect(registry.types()).toEqual(['webhook', 'queue']);
  });

  it('returns undefined for an unknown type instead of throwing', () => {
    const registry = new TriggerRegistry([fakeProvider('webhook')]);

    expect(registry.get('carrier-pigeon')).toBeUndefined();
  });

  it('refuses two providers for one type at boot', () => {
    expect(
      () =>
        new TriggerRegistry([fakeProvider('webhook'), fakeProvider('webhook')]),
    ).toThrow(/Two trigger providers.*webhook/);
  });

  it('is wired by TriggersModule with the webhook, nats and redis-stream providers', async () => {
    const config = loadSchedulerConfig({
      DATABASE_URL: 'postgres://u@db:5432/s',
      SECRETS_KEY: TEST_SECRETS_KEY,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        SchedulerConfigModule.forRoot(config),
        // The webhook provider opens secret header values with the box (SECRET_BOX).
        SecretsModule.forRoot(config.secretBox),
        NoDatabaseModule,
        TriggersModule,
      ],
    }).compile();
    await moduleRef.init();

    const registry = moduleRef.get(TriggerRegistry);

    expect(registry.get('webhook')).toBeInstanceOf(WebhookTriggerProvider);
    expect(registry.get('mqtt')).toBeInstanceOf(MqttTriggerProvider);
    expect(registry.get('kafka')).toBeInstanceOf(KafkaTriggerProvider);
    expect(registry.get('amqp')).toBeInstanceOf(AmqpTriggerProvider);
    expect(registry.get('nats')).toBeInstanceOf(NatsTriggerProvider);
    expect(registry.get('redis-stream')).toBeInstanceOf(
      RedisStreamTriggerProvider,
    );
    await moduleRef.close();
  });
});
