import type { FireRequest } from '../trigger-provider';
import type { SigningSecret } from '../webhook-signature';
import {
  signWebhook,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '../webhook-signature';
import { isReservedWebhookHeader } from '../webhook.trigger-definition';
import type { BrokerTriggerSpec } from './broker-trigger-spec';

/**
 * What one attempt of a broker trigger publishes (architecture.md, "Connections and
 * broker triggers"): the payload of the webhook contract as JSON, and its metadata under
 * the webhook header names, spelled as the contract spells them. Each provider maps
 * `headers` to its protocol (AMQP message headers, NATS headers, Kafka record headers,
 * MQTT 5 user properties, Redis stream fields).
 *
 * The body is the same bytes on every attempt (it holds `attempt` only in the default
 * body, as the webhook's does); the attempt number and the timestamp travel in headers.
 * Messages are signed like webhooks (Standard Webhooks: webhook-signature over
 * "<webhook-id>.<webhook-timestamp>.<body>") when the owner or the installation has a
 * secret, so a consumer verifies a message with the same library as a webhook.
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
} as const;

/** The body of the contract when the trigger configures none (the webhook's too). */
export function defaultDeliveryBody(
  request: FireRequest,
): Record<string, unknown> {
  return {
    scheduleId: request.scheduleId,
    executionId: request.executionId,
    scheduledAt: request.scheduledAt.toISOString(),
    attempt: request.attempt,
    name: request.scheduleName,
  };
}

export interface BrokerMessageSigning {
  timestampSeconds: number;
  secrets: readonly SigningSecret[];
}

export function buildBrokerMessage(
  request: FireRequest,
  trigger: BrokerTriggerSpec,
  signing: BrokerMessageSigning,
): BrokerMessage {
  const body = JSON.stringify(
    Object.hasOwn(trigger, 'body') && trigger.body !== undefined
      ? trigger.body
      : defaultDeliveryBody(request),
  );
  const headers: Record<string, string> = {};
  // Stored rows are only as well-formed as the rules were when they were written.
  for (const [name, value] of Object.entries(
    trigger.headers as Record<string, unknown>,
  ))
    if (typeof value === 'string' && !isReservedWebhookHeader(name))
      headers[name] = value;
  headers[DELIVERY_HEADERS.idempotencyKey] = request.executionId;
  headers[DELIVERY_HEADERS.scheduleId] = request.scheduleId;
  headers[DELIVERY_HEADERS.executionId] = request.executionId;
  headers[DELIVERY_HEADERS.scheduledAt] = request.scheduledAt.toISOString();
  headers[DELIVERY_HEADERS.attempt] = String(request.attempt);
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
