import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RESERVED_WEBHOOK_HEADERS } from '@scheduleman/domain';

/**
 * OpenAPI shapes of the broker triggers (architecture.md, "Connections and broker
 * triggers"). Like spec-docs.dto.ts they only feed OpenAPI; the rules live in
 * libs/domain/src/trigger/broker/ and docs/triggers.md.
 */

const CONNECTION_ID = {
  format: 'uuid',
  example: '3f2a6d4e-8b1c-4f5e-9a7b-2c3d4e5f6a7b',
  description:
    "A connection (POST /connections) of the schedule's owner, of the type the trigger needs.",
};
const HEADERS = {
  type: 'object',
  additionalProperties: { type: 'string' },
  example: { 'X-Tenant': 'team-a' },
  description: `Message headers besides the metadata scheduleman sets on every message. Reserved: ${RESERVED_WEBHOOK_HEADERS.join(', ')}.`,
} as const;
const BODY = {
  description:
    'Any JSON value, sent as the message; when absent, { scheduleId, executionId, scheduledAt, attempt, name } is sent.',
};

export class AmqpTriggerDoc {
  @ApiProperty({ enum: ['amqp'] })
  type: 'amqp';
  @ApiProperty(CONNECTION_ID)
  connectionId: string;
  @ApiProperty({
    example: '',
    description:
      'The exchange; "" is the default exchange (routes by queue name).',
  })
  exchange: string;
  @ApiPropertyOptional({ example: 'jobs', default: '' })
  routingKey?: string;
  @ApiPropertyOptional(HEADERS)
  headers?: Record<string, string>;
  @ApiPropertyOptional(BODY)
  body?: unknown;
}

export class NatsTriggerDoc {
  @ApiProperty({ enum: ['nats'] })
  type: 'nats';
  @ApiProperty(CONNECTION_ID)
  connectionId: string;
  @ApiProperty({
    example: 'jobs.created',
    description: 'Published with JetStream: a stream must capture the subject.',
  })
  subject: string;
  @ApiPropertyOptional(HEADERS)
  headers?: Record<string, string>;
  @ApiPropertyOptional(BODY)
  body?: unknown;
}

export class RedisStreamTriggerDoc {
  @ApiProperty({ enum: ['redis-stream'] })
  type: 'redis-stream';
  @ApiProperty(CONNECTION_ID)
  connectionId: string;
  @ApiProperty({ example: 'jobs' })
  stream: string;
  @ApiPropertyOptional({
    minimum: 100,
    example: 100000,
    description: 'Trim the stream to about this many entries (XADD MAXLEN ~).',
  })
  maxLen?: number;
  @ApiPropertyOptional(HEADERS)
  headers?: Record<string, string>;
  @ApiPropertyOptional(BODY)
  body?: unknown;
}

export class MqttTriggerDoc {
  @ApiProperty({ enum: ['mqtt'] })
  type: 'mqtt';
  @ApiProperty(CONNECTION_ID)
  connectionId: string;
  @ApiProperty({ example: 'jobs/created' })
  topic: string;
  @ApiPropertyOptional({ enum: [1, 2], default: 1 })
  qos?: number;
  @ApiPropertyOptional({ default: false })
  retain?: boolean;
  @ApiPropertyOptional({
    ...HEADERS,
    description: `MQTT 5 user properties besides the metadata. Reserved: ${RESERVED_WEBHOOK_HEADERS.join(', ')}.`,
  })
  headers?: Record<string, string>;
  @ApiPropertyOptional(BODY)
  body?: unknown;
}

export class KafkaTriggerDoc {
  @ApiProperty({ enum: ['kafka'] })
  type: 'kafka';
  @ApiProperty(CONNECTION_ID)
  connectionId: string;
  @ApiProperty({ example: 'jobs' })
  topic: string;
  @ApiPropertyOptional({
    description: 'The record key; default the schedule id.',
  })
  key?: string;
  @ApiPropertyOptional(HEADERS)
  headers?: Record<string, string>;
  @ApiPropertyOptional(BODY)
  body?: unknown;
}

export const BROKER_TRIGGER_DOCS = [
  AmqpTriggerDoc,
  NatsTriggerDoc,
  RedisStreamTriggerDoc,
  MqttTriggerDoc,
  KafkaTriggerDoc,
];
