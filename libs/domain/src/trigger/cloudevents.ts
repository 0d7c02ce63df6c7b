import { ValidationError } from '../errors';
import { type FireRequest, scheduledAtText } from './trigger-provider';

/*
 * CloudEvents 1.0 (docs/triggers.md, "CloudEvents"): with `"format": "cloudevents"` a
 * trigger sends its payload as the `data` of an event whose attributes travel beside it
 * (binary mode) wherever the protocol has headers, and as one JSON envelope
 * (structured mode) where it has none. Pure mappings, one per protocol binding; the
 * providers put the result on the wire.
 */

export const TRIGGER_FORMATS = ['raw', 'cloudevents'] as const;
export type TriggerFormat = (typeof TRIGGER_FORMATS)[number];

/**
 * The optional `format` of every trigger type: `raw` (the default: the payload as it
 * is) or `cloudevents`. Undefined when absent, so a stored trigger without it stays
 * as it was.
 */
export function parseTriggerFormat(
  input: unknown,
  field: string,
): TriggerFormat | undefined {
  if (input === undefined || input === null) return undefined;
  if (
    typeof input !== 'string' ||
    !(TRIGGER_FORMATS as readonly string[]).includes(input)
  )
    throw new ValidationError(
      field,
      `must be one of ${TRIGGER_FORMATS.join(', ')} (default raw); got ${JSON.stringify(input)}`,
    );
  return input as TriggerFormat;
}

/** Whether a stored trigger asks for CloudEvents (rows without `format` are raw). */
export function isCloudEventsTrigger(trigger: object): boolean {
  return (trigger as { format?: unknown }).format === 'cloudevents';
}

export const CLOUDEVENT_TYPE = 'io.scheduleman.schedule.fired.v1';
export const CLOUDEVENT_JSON = 'application/json';
export const CLOUDEVENT_STRUCTURED_CONTENT_TYPE =
  'application/cloudevents+json';

/**
 * The context attributes of one attempt, in the order they are sent. `attempt` is an
 * extension attribute: it goes beside the data only (headers, properties), never into
 * a structured envelope, so the body is the same on every retry.
 */
export interface CloudEventAttributes {
  specversion: '1.0';
  /** The execution id: the same on every retry, so (source, id) deduplicates. */
  id: string;
  source: string;
  type: string;
  /** The schedule's name; absent when it has none. */
  subject?: string;
  /** The scheduled time (not the moment of sending), ISO-8601 UTC with milliseconds. */
  time: string;
  /** Absent when the event has no data (a GET webhook). */
  datacontenttype?: string;
}

export interface CloudEvent {
  attributes: CloudEventAttributes;
  /** Extension attributes sent beside the data only. */
  extensions: { attempt: number };
  /** The payload as JSON text (what raw format would send); undefined = no data. */
  data: string | undefined;
}

/**
 * `//scheduleman/schedules/<scheduleId>`: a URI-reference without the owner, because the
 * owner can be changed by PATCH and (source, id) must stay the same for every re-send of
 * one occurrence; schedule ids are UUIDs, unique on their own.
 */
export function cloudEventSource(scheduleId: string): string {
  return `//scheduleman/schedules/${scheduleId}`;
}

/** The event of one attempt whose payload, as JSON text, is `data`. */
export function cloudEventOf(
  request: Pick<
    FireRequest,
    'executionId' | 'scheduleId' | 'scheduleName' | 'scheduledAt' | 'attempt'
  >,
  data: string | undefined,
): CloudEvent {
  const attributes: CloudEventAttributes = {
    specversion: '1.0',
    id: request.executionId,
    source: cloudEventSource(request.scheduleId),
    type: CLOUDEVENT_TYPE,
    time: scheduledAtText(request),
  };
  if (request.scheduleName !== null) attributes.subject = request.scheduleName;
  if (data !== undefined) attributes.datacontenttype = CLOUDEVENT_JSON;
  return { attributes, extensions: { attempt: request.attempt }, data };
}

/** Every attribute but datacontenttype (which maps to the protocol's content type), as strings. */
function headerAttributes(event: CloudEvent): [string, string][] {
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(event.attributes)) {
    if (name !== 'datacontenttype' && typeof value === 'string')
      entries.push([name, value]);
  }
  entries.push(['attempt', String(event.extensions.attempt)]);
  return entries;
}

/** Anything but printable ASCII (U+0021–U+007E) other than `"` and `%`. */
const HEADER_UNSAFE = /[^!#$&-~]/gu;

/**
 * HTTP binding 1.0.2, §3.1.3.2: in a header value, space, `"`, `%` and everything
 * outside printable ASCII (U+0021–U+007E) is percent-encoded as UTF-8; nothing else is.
 * Also what keeps a schedule name with a newline from splitting a header.
 */
export function percentEncodeHeaderValue(value: string): string {
  return value.replace(HEADER_UNSAFE, (character) => {
    let out = '';
    for (const byte of Buffer.from(character, 'utf8'))
      out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    return out;
  });
}

/** Lowercase `<prefix><attribute>` headers, values percent-encoded, plus content-type. */
function prefixedHeaders(
  event: CloudEvent,
  prefix: string,
  contentTypeHeader: string,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of headerAttributes(event))
    headers[`${prefix}${name}`] = percentEncodeHeaderValue(value);
  if (event.attributes.datacontenttype !== undefined)
    headers[contentTypeHeader] = event.attributes.datacontenttype;
  return headers;
}

/** HTTP binary mode: `ce-<attribute>` headers and Content-Type; the body is `data`. */
export function httpBinaryHeaders(event: CloudEvent): Record<string, string> {
  return prefixedHeaders(event, 'ce-', 'content-type');
}

/** NATS binary mode (binding 1.0.3, NATS ≥ 2.2 headers): as HTTP, `ce-<attribute>`. */
export function natsBinaryHeaders(event: CloudEvent): Record<string, string> {
  return prefixedHeaders(event, 'ce-', 'content-type');
}

/**
 * Kafka binary mode: `ce_<attribute>` record headers (UTF-8 values, not
 * percent-encoded: the Kafka binding carries bytes) and `content-type`.
 */
export function kafkaBinaryHeaders(event: CloudEvent): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of headerAttributes(event))
    headers[`ce_${name}`] = value;
  if (event.attributes.datacontenttype !== undefined)
    headers['content-type'] = event.attributes.datacontenttype;
  return headers;
}

/**
 * AMQP 0-9-1 (RabbitMQ has no official binding; the convention copies AMQP 1.0):
 * `cloudEvents_<attribute>` message headers, and datacontenttype as the message's
 * `content_type` property. Values as they are: AMQP header values are typed strings.
 */
export function amqpBinaryMessage(event: CloudEvent): {
  headers: Record<string, string>;
  contentType: string | undefined;
} {
  const headers: Record<string, string> = {};
  for (const [name, value] of headerAttributes(event))
    headers[`cloudEvents_${name}`] = value;
  return { headers, contentType: event.attributes.datacontenttype };
}

/**
 * MQTT 5 binary mode: one user property per attribute, named as the attribute, and
 * datacontenttype as the Content Type property.
 */
export function mqtt5BinaryProperties(event: CloudEvent): {
  userProperties: Record<string, string>;
  contentType: string | undefined;
} {
  return {
    userProperties: Object.fromEntries(headerAttributes(event)),
    contentType: event.attributes.datacontenttype,
  };
}

/**
 * Redis stream entry fields: named like the HTTP headers (`ce-<attribute>`,
 * `content-type`), values as they are (fields are binary-safe); the data goes in the
 * entry's `body` field as with raw format.
 */
export function redisStreamFields(event: CloudEvent): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of headerAttributes(event))
    fields[`ce-${name}`] = value;
  if (event.attributes.datacontenttype !== undefined)
    fields['content-type'] = event.attributes.datacontenttype;
  return fields;
}

/**
 * Structured mode (JSON event format), for a protocol without headers (MQTT 3.1.1):
 * the attributes and `data` (as JSON, since datacontenttype is application/json) in one
 * body, sent with content type application/cloudevents+json. Without the `attempt`
 * extension, so the body is identical on every retry.
 */
export function structuredCloudEvent(event: CloudEvent): string {
  const attributes = JSON.stringify(event.attributes);
  if (event.data === undefined) return attributes;
  // `data` is spliced in as the JSON text already built (and signed) for raw format,
  // not parsed and stringified again.
  return `${attributes.slice(0, -1)},"data":${event.data}}`;
}
