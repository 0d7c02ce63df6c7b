import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ALWAYS_SECRET_HEADERS,
  RESERVED_WEBHOOK_HEADERS,
  SECRET_MASK,
  TEMPLATE_PLACEHOLDERS,
  TRIGGER_FORMATS,
  WEBHOOK_METHODS,
} from '@scheduleman/domain';

/*
 * Documentation-only models of the polymorphic `schedule` and `trigger` objects. They are
 * validated by the domain parsers (parseScheduleSpec, parseTriggerSpec), not by
 * class-validator, so the rules live in one place; these classes only feed OpenAPI.
 */

export class CronScheduleDoc {
  @ApiProperty({ enum: ['cron'] })
  type: 'cron';

  @ApiProperty({
    example: '*/5 * * * * *',
    description: '5 fields, or 6 with seconds first.',
  })
  expression: string;

  @ApiPropertyOptional({
    example: 'Europe/Berlin',
    default: 'UTC',
    description: 'IANA time zone the expression is read in.',
  })
  timezone?: string;
}

export class AtScheduleDoc {
  @ApiProperty({ enum: ['at'] })
  type: 'at';

  @ApiProperty({
    example: '2030-01-01T09:00:00+01:00',
    description:
      'ISO-8601 date-time with an offset (Z or ±hh:mm), at most 5 s in the past and 366 days ahead. Stored in UTC.',
  })
  at: string;
}

export class DelayScheduleDoc {
  @ApiProperty({ enum: ['delay'] })
  type: 'delay';

  @ApiProperty({
    example: 'PT90S',
    description:
      'ISO-8601 duration, > 0 and at most P366D. Fixed to an absolute `at` when accepted.',
  })
  delay: string;

  @ApiPropertyOptional({
    description: 'Response only: the instant the delay was fixed to.',
    readOnly: true,
  })
  at?: string;
}

export class WebhookTriggerDoc {
  @ApiProperty({ enum: ['webhook'] })
  type: 'webhook';

  @ApiProperty({
    example: 'https://example.com/hooks/report',
    description:
      'http or https, absolute, no credentials. May hold placeholders (see body) in the path and query, never in the scheme, host or port; their values are percent-encoded.',
  })
  url: string;

  @ApiPropertyOptional({ enum: WEBHOOK_METHODS, default: 'POST' })
  method?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { Authorization: 'Bearer …' },
    description: `Extra request headers. Reserved (set by scheduleman): ${RESERVED_WEBHOOK_HEADERS.join(', ')}. Secret values (${ALWAYS_SECRET_HEADERS.join(', ')} and those in secretHeaders) are stored encrypted and answered as "${SECRET_MASK}"; sending "${SECRET_MASK}" back in a PATCH keeps the stored value.`,
  })
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    type: [String],
    example: ['X-Api-Token'],
    description: `Names of headers (each in headers, case-insensitive) whose values are secret besides ${ALWAYS_SECRET_HEADERS.join(', ')}, which always are.`,
  })
  secretHeaders?: string[];

  @ApiPropertyOptional({
    description: `Any JSON value sent as the request body; when absent, { scheduleId, executionId, scheduledAt, attempt, name } is sent. Its strings (and url, header values) may hold the placeholders ${TEMPLATE_PLACEHOLDERS}, replaced when the trigger fires; a string that is exactly one placeholder keeps the value's JSON type. Any other {{…}} is refused.`,
  })
  body?: unknown;

  @ApiPropertyOptional({
    enum: [...TRIGGER_FORMATS],
    default: 'raw',
    description:
      'cloudevents: sent as a CloudEvents 1.0 event in HTTP binary mode (ce-* headers, the body as its data; id = execution id, time = scheduled time).',
  })
  format?: string;
}
