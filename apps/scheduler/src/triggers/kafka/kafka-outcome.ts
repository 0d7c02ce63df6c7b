import type { FireOutcome } from '@scheduleman/domain';
import { DESTINATION_NOT_ALLOWED_CODE } from '../outbound/destination-guard';

/**
 * Kafka error types (the protocol's error codes, as kafkajs names them) that another
 * attempt of the same record would meet again: the trigger, the ACLs or the topic's
 * configuration has to change. Everything else is retryable, including what kafkajs
 * itself calls retriable (NOT_LEADER_FOR_PARTITION, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT,
 * …) and UNKNOWN_TOPIC_OR_PARTITION: Kafka answers it for a topic that does not exist,
 * but also for one being created or whose leader is moving, so a missing topic fails
 * the execution once the retry policy's attempts are used up, not at the first answer.
 */
export const KAFKA_PERMANENT_ERRORS: ReadonlyMap<string, string> = new Map([
  ['TOPIC_AUTHORIZATION_FAILED', 'not authorized for the topic'],
  ['CLUSTER_AUTHORIZATION_FAILED', 'not authorized on the cluster'],
  ['SASL_AUTHENTICATION_FAILED', 'authentication failed'],
  ['INVALID_TOPIC_EXCEPTION', 'invalid topic'],
  ['MESSAGE_TOO_LARGE', 'the record is larger than the topic allows'],
  ['RECORD_LIST_TOO_LARGE', 'the batch is larger than the topic allows'],
  ['INVALID_RECORD', 'the broker refused the record'],
  ['INVALID_REQUIRED_ACKS', 'the broker refused acks=-1'],
  ['POLICY_VIOLATION', 'a broker policy refused the record'],
  [
    'UNSUPPORTED_FOR_MESSAGE_FORMAT',
    'the topic message format refuses headers',
  ],
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  type?: unknown;
  message?: unknown;
  cause?: unknown;
}

/**
 * The error that says what happened: kafkajs wraps the last failure of its retries in
 * KafkaJSNumberOfRetriesExceeded (`cause`); the innermost error with a protocol `type`
 * wins, else the innermost one.
 */
export function rootKafkaError(error: unknown): ErrorLike {
  let current = (error ?? {}) as ErrorLike;
  let typed: ErrorLike | undefined =
    typeof current.type === 'string' ? current : undefined;
  for (let depth = 0; depth < 5 && current.cause instanceof Error; depth++) {
    current = current.cause;
    if (typeof current.type === 'string') typed = current;
  }
  return typed ?? current;
}

/** Errors after which the producer is closed and a new one opened (through the pool). */
const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
]);

export function isConnectionError(error: unknown): boolean {
  const root = rootKafkaError(error);
  if (root.code === DESTINATION_NOT_ALLOWED_CODE) return false;
  return typeof root.name === 'string' && CONNECTION_ERRORS.has(root.name);
}

/** The outcome of a send that kafkajs rejected. */
export function outcomeForSendError(
  error: unknown,
): Exclude<FireOutcome, { kind: 'delivered' }> {
  const root = rootKafkaError(error);
  const message = shortMessage(root.message);
  // A broker the cluster advertises at an address the network policy refuses.
  if (root.code === DESTINATION_NOT_ALLOWED_CODE)
    return { kind: 'permanent', error: `kafka: ${message}` };
  if (typeof root.type === 'string') {
    const permanent = KAFKA_PERMANENT_ERRORS.get(root.type);
    if (permanent !== undefined)
      return { kind: 'permanent', error: `kafka: ${root.type} (${permanent})` };
    return { kind: 'retryable', error: `kafka: ${root.type} (${message})` };
  }
  const name = typeof root.name === 'string' ? root.name : 'Error';
  return { kind: 'retryable', error: `kafka: ${name}: ${message}` };
}

/** The timeout: the broker may have appended the record already (ambiguous). */
export function outcomeForTimeout(waitedMs: number): FireOutcome {
  return {
    kind: 'retryable',
    error: `kafka: timeout after ${String(Math.round(waitedMs))} ms waiting for the produce answer (ambiguous: retried with the same Idempotency-Key)`,
  };
}

function shortMessage(message: unknown): string {
  const text = typeof message === 'string' ? message : String(message);
  return text.split('\n', 1)[0]?.slice(0, 200) ?? '';
}
