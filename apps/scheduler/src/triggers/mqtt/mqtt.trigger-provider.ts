import type {
  FireOutcome,
  FireRequest,
  MqttTriggerSpec,
  TriggerProvider,
} from '@scheduleman/domain';
import type { BrokerClientPool } from '../broker/broker-client-pool';
import type { BrokerFiring } from '../broker/broker-firing';
import { ABORTED, raceSignal } from '../broker/race-signal';
import type { MqttPublisher } from './mqtt-client';
import { outcomeForPublishError, outcomeForTimeout } from './mqtt-outcome';

export const MQTT_TRIGGER_TYPE = 'mqtt';

/**
 * Publishes one attempt of an `mqtt` trigger (docs/triggers.md, "mqtt"): MQTT 5, the
 * trigger's QoS (1 or 2) and retain flag, the contract's metadata as user properties,
 * content type application/json. Initiated = the PUBACK (QoS 1) or PUBCOMP (QoS 2)
 * with a reason code below 0x80; 0x10 "no matching subscribers" counts as initiated.
 *
 * A session that is down (mqtt.js is reconnecting) fails the attempt at once, without
 * publishing: mqtt.js would otherwise hold the message in its offline store and send it
 * whenever the session comes back, long after the attempt was given up. A publish in
 * flight when the signal aborts is reported as an ambiguous timeout.
 */
export class MqttTriggerProvider implements TriggerProvider {
  readonly type = MQTT_TRIGGER_TYPE;

  constructor(
    private readonly firing: BrokerFiring,
    private readonly pool: BrokerClientPool<MqttPublisher>,
  ) {}

  async fire(
    request: FireRequest,
    { signal }: { signal: AbortSignal },
  ): Promise<FireOutcome> {
    const prepared = await this.firing.prepare<MqttTriggerSpec, MqttPublisher>(
      request,
      MQTT_TRIGGER_TYPE,
      this.pool,
      signal,
    );
    if ('kind' in prepared) return prepared;
    const { trigger, client, message } = prepared;
    if (!client.isConnected())
      return {
        kind: 'retryable',
        error: `mqtt: not connected to the broker, reconnecting (${client.lastError() ?? 'connection lost'})`,
      };
    const startedAt = performance.now();
    if (signal.aborted) return outcomeForTimeout(0, trigger.qos);
    try {
      const settled = await raceSignal(
        client.publish(trigger.topic, message.body, {
          qos: trigger.qos,
          retain: trigger.retain,
          properties: {
            contentType: message.contentType,
            userProperties: message.headers,
          },
        }),
        signal,
      );
      if (settled === ABORTED)
        return outcomeForTimeout(performance.now() - startedAt, trigger.qos);
      return { kind: 'delivered' };
    } catch (error) {
      return outcomeForPublishError(error);
    }
  }
}
