import { ValidationError } from '../../errors';
import {
  amqpBinaryMessage,
  type CloudEvent,
  cloudEventOf,
  isCloudEventsTrigger,
  kafkaBinaryHeaders,
  mqtt5BinaryProperties,
  natsBinaryHeaders,
  redisStreamFields,
} from '../cloudevents';
import { renderTemplateString, type TemplateVars } from '../template';
import { renderBodyJson, renderHeaderTemplate } from '../template-fields';
import { type FireRequest, scheduledAtText } from '../trigger-provider';
import type { SigningSecret } from '../webhook-signature';
import {
  signWebhook,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '../webhook-signature';
import { isReservedWebhookHeader } from '../webhook.trigger-definition';
import { checkNameRule } from './broker-fields';
import type {
  BrokerTriggerSpec,
  BrokerTriggerType,
} from './broker-trigger-spec';
import { BROKER_NAME_FIELDS } from './broker.trigger-definitions';

/**
 * What one attempt of a broker trigger publishes (architecture.md, "Connections and
 * broker triggers"): the payload of the webhook contract as JSON, and its metadata under
 * the webhook header names, spelled as the contract spells them. Each provider maps
 * `headers` to its protocol (AMQP message headers, NATS headers, Kafka record headers,
 * MQTT 5 user properties, Redis stream fields).
 *
 * The body is the same bytes on every attempt unless the user's body holds
 * `{{attempt}}` (it holds `attempt` only in the default body, as the webhook's does); the
 * attempt number and the timestamp travel in headers. Messages are signed like webhooks
 * (Standard Webhooks: webhook-signature over "<webhook-id>.<webhook-timestamp>.<body>")
 * when the owner or the installation has a secret, so a consumer verifies a message with
 * the same library as a webhook.
 *
 * With `format: "cloudevents"` the body is the event's data and its attributes are
 * added to the headers in the binary mode of the trigger's protocol (cloudevents.ts):
 * `cloudEvents_<attr>` for AMQP, `ce-<attr>` for NATS and Redis, `ce_<attr>` for Kafka,
 * the attribute names as MQTT 5 user properties.
 */
export interface BrokerMessage {
  body: string;
  contentType: 'application/json';
  headers: Record<string, string>;
}

/** The metadata header names, as in the webhook contract. */
export const DELIVERY_HEADERS = {
  idempotencyKey: 'Idempotency-Key',
  scheduleId: 'X-Scheduleman-Schedule-Id',
  executionId: 'X-Scheduleman-Execution-Id',
  scheduledAt: 'X-Scheduleman-Scheduled-At',
  attempt: 'X-Scheduleman-Attempt',
  resultToken: 'X-Scheduleman-Result-Token',
  resultUrl: 'X-Scheduleman-Result-Url',
} as const;

/**
 * The body of the contract when the trigger configures none (the webhook's too), with
 * `resultToken` when the delivery carries one (result tracking, docs/triggers.md).
 */
export function defaultDeliveryBody(
  request: FireRequest,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    scheduleId: request.scheduleId,
    executionId: request.executionId,
    scheduledAt: scheduledAtText(request),
    attempt: request.attempt,
    name: request.scheduleName,
  };
  if (request.resultToken !== undefined) body.resultToken = request.resultToken;
  return body;
}

export interface BrokerMessageSigning {
  timestampSeconds: number;
  secrets: readonly SigningSecret[];
}

/** The CloudEvents binary-mode headers of each broker protocol. */
const CLOUDEVENT_HEADERS: Readonly<
  Record<BrokerTriggerType, (event: CloudEvent) => Record<string, string>>
> = {
  amqp: (event) => amqpBinaryMessage(event).headers,
  nats: natsBinaryHeaders,
  kafka: kafkaBinaryHeaders,
  mqtt: (event) => mqtt5BinaryProperties(event).userProperties,
  'redis-stream': redisStreamFields,
};

/**
 * The message of one attempt, or `invalid` when a rendered header value would carry a
 * control character (every attempt would meet it: a permanent failure). `trigger` has its
 * names rendered already (renderBrokerNames); `vars` are the attempt's template values.
 */
export function buildBrokerMessage(
  request: FireRequest,
  trigger: BrokerTriggerSpec,
  signing: BrokerMessageSigning,
  vars: TemplateVars,
): BrokerMessage | { invalid: string } {
  const body =
    Object.hasOwn(trigger, 'body') && trigger.body !== undefined
      ? renderBodyJson(trigger.body, request, vars)
      : JSON.stringify(defaultDeliveryBody(request));
  const headers: Record<string, string> = {};
  // Stored rows are only as well-formed as the rules were when they were written.
  for (const [name, value] of Object.entries(
    trigger.headers as Record<string, unknown>,
  )) {
    if (typeof value !== 'string' || isReservedWebhookHeader(name)) continue;
    const rendered = renderHeaderTemplate(name, value, vars);
    if (typeof rendered !== 'string') return rendered;
    headers[name] = rendered;
  }
  if (isCloudEventsTrigger(trigger)) {
    const binding = CLOUDEVENT_HEADERS[trigger.type];
    Object.assign(headers, binding(cloudEventOf(request, body)));
  }
  headers[DELIVERY_HEADERS.idempotencyKey] = request.executionId;
  headers[DELIVERY_HEADERS.scheduleId] = request.scheduleId;
  headers[DELIVERY_HEADERS.executionId] = request.executionId;
  headers[DELIVERY_HEADERS.scheduledAt] = scheduledAtText(request);
  headers[DELIVERY_HEADERS.attempt] = String(request.attempt);
  if (request.resultToken !== undefined)
    headers[DELIVERY_HEADERS.resultToken] = request.resultToken;
  if (request.resultUrl !== undefined)
    headers[DELIVERY_HEADERS.resultUrl] = request.resultUrl;
  headers[WEBHOOK_ID_HEADER] = request.executionId;
  headers[WEBHOOK_TIMESTAMP_HEADER] = String(signing.timestampSeconds);
  const signature = signWebhook({
    id: request.executionId,
    timestampSeconds: signing.timestampSeconds,
    body,
    secrets: signing.secrets,
  });
  if (signature !== undefined) headers[WEBHOOK_SIGNATURE_HEADER] = signature;
  return { body, contentType: 'application/json', headers };
}

/**
 * The trigger with its templated names (subject, topic, routing key, stream, key)
 * rendered for this attempt, or `invalid` when a rendered name breaks the protocol's
 * rules (a metadata value with a space in a NATS subject, a `+` in an MQTT topic): every
 * attempt would meet it, so it is a permanent failure. Untemplated names are returned
 * as they are, without a copy.
 */
export function renderBrokerNames<S extends BrokerTriggerSpec>(
  trigger: S,
  vars: TemplateVars,
): S | { invalid: string } {
  let rendered: S | undefined;
  for (const { field, rule } of BROKER_NAME_FIELDS[trigger.type] ?? []) {
    const value = (trigger as unknown as Record<string, unknown>)[field];
    if (typeof value !== 'string' || !value.includes('{{')) continue;
    const text = renderTemplateString(value, vars);
    try {
      checkNameRule(text, field, rule);
    } catch (error) {
      const reason =
        error instanceof ValidationError ? error.message : String(error);
      return { invalid: `the rendered ${reason}` };
    }
    rendered ??= { ...trigger };
    (rendered as unknown as Record<string, unknown>)[field] = text;
  }
  return rendered ?? trigger;
}
