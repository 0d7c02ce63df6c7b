import { ValidationError } from '../../errors';
import type { TriggerDefinition } from '../trigger-spec';
import {
  BROKER_COMMON_FIELDS,
  type NameRule,
  parseBrokerCommon,
  parseName,
  parseOptionalBoolean,
  parseOptionalInteger,
  refuseUnknownFields,
} from './broker-fields';
import {
  type AmqpTriggerSpec,
  type KafkaTriggerSpec,
  MQTT_QOS_LEVELS,
  type MqttQos,
  type MqttTriggerSpec,
  type NatsTriggerSpec,
  type RedisStreamTriggerSpec,
} from './broker-trigger-spec';

/**
 * The broker trigger definitions (architecture.md, "Connections and broker triggers").
 * They check shapes only; that the connection exists, belongs to the schedule's owner and
 * is of the right type needs the database (checkTriggerConnection, run by the API).
 * Names follow each protocol's rules, so a trigger the API accepts is one the broker
 * accepts too (docs/triggers.md, "Broker triggers").
 */

const AMQP_EXCHANGE: NameRule = {
  what: 'an AMQP exchange name; "" is the default exchange',
  maxLength: 127,
  allowEmpty: true,
  checks: [
    {
      ok: (text) => /^[A-Za-z0-9_.:-]*$/.test(text),
      why: 'use only letters, digits, "-", "_", "." and ":"',
    },
  ],
};

const AMQP_ROUTING_KEY: NameRule = {
  what: 'an AMQP routing key',
  templated: true,
  maxLength: 255,
  allowEmpty: true,
  checks: [
    {
      ok: (text) => Buffer.byteLength(text, 'utf8') <= 255,
      why: 'be at most 255 bytes in UTF-8',
    },
  ],
};

export const AMQP_TRIGGER: TriggerDefinition<AmqpTriggerSpec> = {
  type: 'amqp',
  parse(input, field) {
    refuseUnknownFields(input, field, [
      ...BROKER_COMMON_FIELDS,
      'exchange',
      'routingKey',
    ]);
    return {
      ...parseBrokerCommon(input, field, 'amqp'),
      exchange: parseName(
        input['exchange'],
        `${field}.exchange`,
        AMQP_EXCHANGE,
      ),
      routingKey:
        input['routingKey'] === undefined
          ? ''
          : parseName(
              input['routingKey'],
              `${field}.routingKey`,
              AMQP_ROUTING_KEY,
            ),
    };
  },
};

const NATS_SUBJECT: NameRule = {
  what: 'a NATS subject such as "jobs.created"',
  templated: true,
  maxLength: 255,
  checks: [
    {
      ok: (text) => !/[\s*>]/.test(text),
      why: 'contain no whitespace and no wildcard ("*" or ">"): a message is published to one subject',
    },
    {
      ok: (text) => text.split('.').every((token) => token !== ''),
      why: 'be tokens separated by single dots, with none empty',
    },
    {
      ok: (text) => !text.startsWith('$'),
      why: 'not start with "$" (reserved for the system, e.g. $JS)',
    },
  ],
};

export const NATS_TRIGGER: TriggerDefinition<NatsTriggerSpec> = {
  type: 'nats',
  parse(input, field) {
    refuseUnknownFields(input, field, [...BROKER_COMMON_FIELDS, 'subject']);
    return {
      ...parseBrokerCommon(input, field, 'nats'),
      subject: parseName(input['subject'], `${field}.subject`, NATS_SUBJECT),
    };
  },
};

const REDIS_STREAM: NameRule = {
  what: 'a Redis stream key',
  templated: true,
  maxLength: 256,
  checks: [],
};

/** Trimming below this would drop entries a consumer group has not read yet. */
export const REDIS_STREAM_MAX_LEN = { min: 100, max: 1_000_000_000 } as const;

export const REDIS_STREAM_TRIGGER: TriggerDefinition<RedisStreamTriggerSpec> = {
  type: 'redis-stream',
  parse(input, field) {
    refuseUnknownFields(input, field, [
      ...BROKER_COMMON_FIELDS,
      'stream',
      'maxLen',
    ]);
    const spec: RedisStreamTriggerSpec = {
      ...parseBrokerCommon(input, field, 'redis-stream'),
      stream: parseName(input['stream'], `${field}.stream`, REDIS_STREAM),
    };
    const maxLen = parseOptionalInteger(
      input['maxLen'],
      `${field}.maxLen`,
      REDIS_STREAM_MAX_LEN.min,
      REDIS_STREAM_MAX_LEN.max,
    );
    if (maxLen !== undefined) spec.maxLen = maxLen;
    return spec;
  },
};

const MQTT_TOPIC: NameRule = {
  what: 'an MQTT topic such as "jobs/created"',
  templated: true,
  maxLength: 1024,
  checks: [
    {
      ok: (text) => !/[+#]/.test(text),
      why: 'contain no wildcard ("+" or "#"): a message is published to one topic',
    },
    {
      ok: (text) => !text.startsWith('$'),
      why: 'not start with "$" (reserved for the broker, e.g. $SYS)',
    },
  ],
};

export const MQTT_TRIGGER: TriggerDefinition<MqttTriggerSpec> = {
  type: 'mqtt',
  parse(input, field) {
    refuseUnknownFields(input, field, [
      ...BROKER_COMMON_FIELDS,
      'topic',
      'qos',
      'retain',
    ]);
    return {
      ...parseBrokerCommon(input, field, 'mqtt'),
      topic: parseName(input['topic'], `${field}.topic`, MQTT_TOPIC),
      qos: parseQos(input['qos'], `${field}.qos`),
      retain: parseOptionalBoolean(input['retain'], `${field}.retain`) ?? false,
    };
  },
};

function parseQos(input: unknown, field: string): MqttQos {
  if (input === undefined || input === null) return 1;
  if (!(MQTT_QOS_LEVELS as readonly unknown[]).includes(input))
    throw new ValidationError(
      field,
      'must be 1 or 2 (QoS 0 has no acknowledgement, so initiation could not be confirmed)',
    );
  return input as MqttQos;
}

const KAFKA_TOPIC: NameRule = {
  what: 'a Kafka topic name',
  templated: true,
  maxLength: 249,
  checks: [
    {
      ok: (text) => /^[A-Za-z0-9._-]+$/.test(text),
      why: 'use only letters, digits, ".", "_" and "-"',
    },
    {
      ok: (text) => text !== '.' && text !== '..',
      why: 'not be "." or ".."',
    },
  ],
};

const KAFKA_KEY: NameRule = {
  what: 'a Kafka record key',
  templated: true,
  maxLength: 1024,
  checks: [],
};

export const KAFKA_TRIGGER: TriggerDefinition<KafkaTriggerSpec> = {
  type: 'kafka',
  parse(input, field) {
    refuseUnknownFields(input, field, [
      ...BROKER_COMMON_FIELDS,
      'topic',
      'key',
    ]);
    const spec: KafkaTriggerSpec = {
      ...parseBrokerCommon(input, field, 'kafka'),
      topic: parseName(input['topic'], `${field}.topic`, KAFKA_TOPIC),
    };
    if (input['key'] !== undefined)
      spec.key = parseName(input['key'], `${field}.key`, KAFKA_KEY);
    return spec;
  },
};

/**
 * The name fields of each broker trigger that may hold placeholders, with their rules:
 * rendered at fire time and checked again (renderBrokerNames).
 */
export const BROKER_NAME_FIELDS: Readonly<
  Record<string, readonly { field: string; rule: NameRule }[]>
> = {
  amqp: [{ field: 'routingKey', rule: AMQP_ROUTING_KEY }],
  nats: [{ field: 'subject', rule: NATS_SUBJECT }],
  'redis-stream': [{ field: 'stream', rule: REDIS_STREAM }],
  mqtt: [{ field: 'topic', rule: MQTT_TOPIC }],
  kafka: [
    { field: 'topic', rule: KAFKA_TOPIC },
    { field: 'key', rule: KAFKA_KEY },
  ],
};

export const BROKER_TRIGGER_DEFINITIONS: readonly TriggerDefinition[] = [
  AMQP_TRIGGER,
  NATS_TRIGGER,
  REDIS_STREAM_TRIGGER,
  MQTT_TRIGGER,
  KAFKA_TRIGGER,
];
