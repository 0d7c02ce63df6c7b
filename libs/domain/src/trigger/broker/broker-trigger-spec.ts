import type { TriggerFormat } from '../cloudevents';
import type { TriggerSpecBase } from '../trigger-spec';

/**
 * Triggers that publish through a connection (architecture.md, "Connections and broker
 * triggers"). Every one names its connection, may carry a JSON `body` (else the default
 * body of the webhook contract is sent) and message `headers` (besides the metadata
 * headers scheduleman sets on every message; see broker-message.ts).
 */
export interface BrokerTriggerSpecBase extends TriggerSpecBase {
  /** The id of a connection of the schedule's owner, of the matching type (lower case). */
  connectionId: string;
  headers: Record<string, string>;
  body?: unknown;
  /** `cloudevents`: the payload goes as a CloudEvents 1.0 event in binary mode. Absent = raw. */
  format?: TriggerFormat;
}

export interface AmqpTriggerSpec extends BrokerTriggerSpecBase {
  type: 'amqp';
  /** `""` is the default exchange, which routes by queue name. */
  exchange: string;
  routingKey: string;
}

export interface NatsTriggerSpec extends BrokerTriggerSpecBase {
  type: 'nats';
  /** A JetStream stream must capture it: a subject without one fails the execution. */
  subject: string;
}

export interface RedisStreamTriggerSpec extends BrokerTriggerSpecBase {
  type: 'redis-stream';
  stream: string;
  /** Trim the stream to about this many entries on each XADD (`MAXLEN ~`); none by default. */
  maxLen?: number;
}

/** QoS 0 has no acknowledgement, so initiation could never be confirmed: not offered. */
export const MQTT_QOS_LEVELS = [1, 2] as const;
export type MqttQos = (typeof MQTT_QOS_LEVELS)[number];

export interface MqttTriggerSpec extends BrokerTriggerSpecBase {
  type: 'mqtt';
  topic: string;
  qos: MqttQos;
  retain: boolean;
}

export interface KafkaTriggerSpec extends BrokerTriggerSpecBase {
  type: 'kafka';
  topic: string;
  /** The record key; when absent the schedule id (one schedule's records keep their order). */
  key?: string;
}

export type BrokerTriggerSpec =
  | AmqpTriggerSpec
  | NatsTriggerSpec
  | RedisStreamTriggerSpec
  | MqttTriggerSpec
  | KafkaTriggerSpec;

export const BROKER_TRIGGER_TYPES = [
  'amqp',
  'nats',
  'redis-stream',
  'mqtt',
  'kafka',
] as const;
export type BrokerTriggerType = (typeof BROKER_TRIGGER_TYPES)[number];

export function isBrokerTrigger(
  trigger: TriggerSpecBase,
): trigger is BrokerTriggerSpec {
  return (
    (BROKER_TRIGGER_TYPES as readonly string[]).includes(trigger.type) &&
    typeof (trigger as Partial<BrokerTriggerSpecBase>).connectionId === 'string'
  );
}
