import type { FireOutcome } from '@scheduleman/domain';

/**
 * PUBACK / PUBREC reason codes (MQTT 5, §3.4.2.1) that another attempt with the same
 * message would meet again: the trigger or the broker's configuration has to change.
 * Every other failure code (0x80 unspecified, 0x83 implementation specific, 0x91
 * packet identifier in use, …) is retryable.
 */
export const MQTT_PERMANENT_REASON_CODES: ReadonlyMap<number, string> = new Map(
  [
    [0x87, 'not authorized'],
    [0x90, 'topic name invalid'],
    [0x97, 'quota exceeded'],
    [0x99, 'payload format invalid'],
  ],
);

function hex(code: number): string {
  return `0x${code.toString(16).padStart(2, '0')}`;
}

/**
 * The outcome of a publish that failed (mqtt.js rejected it). A reason code comes as
 * `code` on mqtt.js's ErrorWithReasonCode (it rejects for every code ≥ 0x80 and
 * resolves for 0x00 and 0x10 "no matching subscribers"); anything else is a client or
 * connection error, retryable.
 */
export function outcomeForPublishError(error: unknown): FireOutcome {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') {
    const permanent = MQTT_PERMANENT_REASON_CODES.get(code);
    if (permanent !== undefined)
      return {
        kind: 'permanent',
        error: `mqtt: the broker refused the message (${hex(code)} ${permanent})`,
      };
    return {
      kind: 'retryable',
      error: `mqtt: the broker refused the message (${hex(code)}${reasonText(error)})`,
    };
  }
  return { kind: 'retryable', error: `mqtt: ${shortMessage(error)}` };
}

/** The timeout: the broker may have the message already (ambiguous). */
export function outcomeForTimeout(waitedMs: number, qos: number): FireOutcome {
  return {
    kind: 'retryable',
    error: `mqtt: timeout after ${String(Math.round(waitedMs))} ms waiting for ${qos === 2 ? 'PUBCOMP' : 'PUBACK'} (ambiguous: retried with the same Idempotency-Key)`,
  };
}

function reasonText(error: unknown): string {
  const message = shortMessage(error).replace(/^Publish error: /, '');
  return message === '' ? '' : ` ${message.toLowerCase()}`;
}

function shortMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0]?.slice(0, 200) ?? '';
}
