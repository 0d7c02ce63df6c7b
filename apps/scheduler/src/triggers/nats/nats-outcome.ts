import type { PubAck } from '@nats-io/jetstream';
import { errorMessage, type FireOutcome } from '@scheduleman/domain';
import { ambiguousTimeout } from '../broker/publish-deadline';

/**
 * What a JetStream publish's answer means for the execution (docs/triggers.md, "nats").
 * Errors are told apart by `name` (nats.js sets one per class), so the mapping does not
 * depend on which copy of the library built the error.
 */

const MAX_ERROR_LENGTH = 200;

export function natsOutcomeForAck(ack: PubAck): FireOutcome {
  const ref = `${ack.stream}:${String(ack.seq)}`;
  // A repeat of the execution id inside the stream's duplicate_window: JetStream kept the
  // first message and answers with its sequence. The occurrence is delivered, once.
  return ack.duplicate
    ? { kind: 'delivered', ref, duplicate: true }
    : { kind: 'delivered', ref };
}

export interface NatsErrorContext {
  subject: string;
  /** The PubAck wait that ran out (nats.js TimeoutError). */
  timeoutMs: number;
  /** Whether the server announced JetStream. */
  jetstream: boolean;
}

/** Whether the error means the connection is gone for good (the pool must open another). */
export function isNatsConnectionClosed(error: unknown): boolean {
  const name = nameOf(error);
  return name === 'ClosedConnectionError' || name === 'DrainingConnectionError';
}

export function natsOutcomeForError(
  error: unknown,
  context: NatsErrorContext,
): FireOutcome {
  const name = nameOf(error);
  switch (name) {
    // No responder on the subject: nats.js reports it as "jetstream is not enabled". With
    // JetStream on, that means no stream captures the subject: configuration, not outage.
    case 'JetStreamNotEnabled':
    case 'NoResponders':
      return {
        kind: 'permanent',
        error: context.jetstream
          ? `no JetStream stream captures subject "${context.subject}" (create one whose subjects include it)`
          : `JetStream is not enabled on this NATS server (or for this account); subject "${context.subject}" has no stream`,
      };
    case 'TimeoutError':
      return {
        kind: 'retryable',
        error: ambiguousTimeout(context.timeoutMs, 'Nats-Msg-Id'),
      };
    case 'PermissionViolationError':
    case 'AuthorizationError':
    case 'UserAuthenticationExpiredError':
      return {
        kind: 'permanent',
        error: `NATS refused the publish: ${short(errorMessage(error))}`,
      };
    case 'InvalidSubjectError':
    case 'InvalidArgumentError':
      return {
        kind: 'permanent',
        error: `invalid NATS publish: ${short(errorMessage(error))}`,
      };
    case 'JetStreamApiError':
    case 'StreamNotFoundError':
      return apiErrorOutcome(error);
    case 'JetStreamError':
    case 'SyntaxError':
      // A reply that is no PubAck ("invalid ack response", or not JSON): a core NATS
      // service answers on the subject, not a stream. Retrying meets the same service.
      return {
        kind: 'permanent',
        error: `subject "${context.subject}" is answered by something that is not a JetStream stream (${short(errorMessage(error))})`,
      };
    default:
      // Closed, draining, disconnected, protocol trouble, unknown: transient. Retries are
      // bounded by the policy; a wrongly permanent failure would lose the occurrence.
      return {
        kind: 'retryable',
        error: `NATS: ${short(errorMessage(error))}`,
      };
  }
}

/**
 * The stream refused the message (`{"error": {code, err_code, description}}` in the
 * PubAck). 4xx are about the message or the expectations (message too large, wrong
 * expected stream): the same on every retry. The rest (503 no quorum, storage failure,
 * limits with `discard: new`) may clear.
 */
function apiErrorOutcome(error: unknown): FireOutcome {
  const api = error as { status?: unknown; code?: unknown };
  const status = typeof api.status === 'number' ? api.status : undefined;
  const code = typeof api.code === 'number' ? api.code : undefined;
  const text = `JetStream refused the message (${code === undefined ? '' : `err_code ${String(code)}, `}status ${String(status)}): ${short(errorMessage(error))}`;
  return status !== undefined && status >= 400 && status < 500
    ? { kind: 'permanent', error: text }
    : { kind: 'retryable', error: text };
}

function nameOf(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function short(text: string): string {
  return text.length > MAX_ERROR_LENGTH
    ? `${text.slice(0, MAX_ERROR_LENGTH)}…`
    : text;
}
