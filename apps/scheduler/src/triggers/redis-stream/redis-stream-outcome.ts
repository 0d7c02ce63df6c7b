import { errorMessage, type FireOutcome } from '@scheduleman/domain';
import type { StreamAdd } from './redis-stream-client';

/**
 * What a Redis answer means for the execution (docs/triggers.md, "redis-stream").
 * Error replies start with their code (`WRONGTYPE …`, `OOM …`); an error raised inside
 * the script keeps the code of the command that raised it.
 */

const MAX_ERROR_LENGTH = 200;

/** Error codes that may clear by themselves: memory, a busy or loading server, failover. */
const RETRYABLE_REPLY_CODES = new Set([
  'OOM',
  'BUSY',
  'LOADING',
  'MASTERDOWN',
  'READONLY',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'NOREPLICAS',
]);

/** Client errors that mean the connection is gone for good: the pool must open another. */
const CLOSED_CLIENT_ERRORS = new Set(['ClientClosedError']);

export function redisOutcomeForAdd(add: StreamAdd): FireOutcome {
  // A repeat of the execution id within the dedup window: the entry exists already, and
  // its id is answered. The occurrence is delivered, once.
  return add.duplicate
    ? { kind: 'delivered', ref: add.id, duplicate: true }
    : { kind: 'delivered', ref: add.id };
}

export function isRedisClientClosed(error: unknown): boolean {
  return error instanceof Error && CLOSED_CLIENT_ERRORS.has(error.name);
}

/** Whether `error` is a reply of the server (node-redis ErrorReply and its subclasses). */
function isErrorReply(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  for (
    let proto: unknown = Object.getPrototypeOf(error);
    proto !== null && proto !== Error.prototype;
    proto = Object.getPrototypeOf(proto)
  )
    if (
      (proto as { constructor: { name: string } }).constructor.name ===
      'ErrorReply'
    )
      return true;
  return false;
}

export function redisOutcomeForError(
  error: unknown,
  stream: string,
): FireOutcome {
  const message = errorMessage(error);
  if (isErrorReply(error)) {
    const code = /^[A-Z]+/.exec(message)?.[0] ?? 'ERR';
    const text = `Redis refused the XADD to "${stream}": ${short(message)}`;
    if (RETRYABLE_REPLY_CODES.has(code))
      return { kind: 'retryable', error: text };
    if (code === 'WRONGTYPE')
      return {
        kind: 'permanent',
        error: `key "${stream}" holds a value that is not a stream`,
      };
    // NOPERM, NOAUTH, WRONGPASS, CROSSSLOT, MOVED (a cluster: not supported), ERR…: the
    // same command meets the same answer on every retry.
    return { kind: 'permanent', error: text };
  }
  // Offline (reconnecting), socket closed with the command in flight, connect timeout,
  // anything else: transient, bounded by the retry policy. In flight means ambiguous;
  // the retry finds the dedup key if the first XADD happened.
  return { kind: 'retryable', error: `Redis: ${short(message)}` };
}

function short(text: string): string {
  return text.length > MAX_ERROR_LENGTH
    ? `${text.slice(0, MAX_ERROR_LENGTH)}…`
    : text;
}
