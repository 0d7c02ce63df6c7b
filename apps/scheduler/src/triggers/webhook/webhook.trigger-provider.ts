import {
  type Clock,
  type FireOutcome,
  type FireRequest,
  type SigningSecret,
  SystemClock,
  type TriggerProvider,
} from '@scheduleman/domain';
import type { HttpClient } from './http-client';
import {
  outcomeForAbort,
  outcomeForError,
  outcomeForStatus,
} from './webhook-outcome';
import { buildWebhookCall } from './webhook-request';

export const WEBHOOK_TRIGGER_TYPE = 'webhook';

export interface WebhookTriggerProviderOptions {
  /** Stamps webhook-timestamp on each attempt. Default: the host's clock. */
  clock?: Clock;
  /**
   * The installation secrets (WEBHOOK_SIGNING_SECRETS), decoded once at start; every
   * delivery is signed with each. Default none: deliveries go unsigned.
   */
  signingSecrets?: readonly SigningSecret[];
}

/**
 * Fires a webhook: one HTTP request per attempt, carrying the occurrence's
 * Idempotency-Key. Never throws: every failure becomes a FireOutcome.
 *
 * The signal goes to the HTTP client, which rejects as soon as it fires (the HttpClient
 * contract). The FireExecutor also races every call against its deadline, so a lease is
 * never held past the 3 s initiation bound even if a client ignored the abort in some
 * phase; racing here too cost an extra listener and promise per call for nothing.
 *
 * Each attempt is signed (Standard Webhooks) with the installation secrets. Per-owner
 * secrets, once owners exist, replace them for that owner's deliveries: look the
 * owner's active secrets up and pass them to buildWebhookCall instead.
 */
export class WebhookTriggerProvider implements TriggerProvider {
  readonly type = WEBHOOK_TRIGGER_TYPE;
  private readonly clock: Clock;
  private readonly signingSecrets: readonly SigningSecret[];

  constructor(
    private readonly client: HttpClient,
    options: WebhookTriggerProviderOptions = {},
  ) {
    this.clock = options.clock ?? new SystemClock();
    this.signingSecrets = options.signingSecrets ?? [];
  }

  async fire(
    request: FireRequest,
    options: { signal: AbortSignal },
  ): Promise<FireOutcome> {
    const { signal } = options;
    const call = buildWebhookCall(request, {
      // Of this attempt: a retry is signed afresh, so it passes the receiver's tolerance.
      timestampSeconds: Math.floor(this.clock.now().getTime() / 1000),
      secrets: this.signingSecrets,
    });
    if ('invalid' in call) return { kind: 'permanent', error: call.invalid };
    const startedAt = performance.now();
    if (signal.aborted) return outcomeForAbort(signal.reason, 0);
    try {
      const { status } = await this.client.send({ ...call, signal });
      return outcomeForStatus(status);
    } catch (error) {
      // Read again: the call may have been aborted while it ran.
      if (isAborted(signal))
        return outcomeForAbort(signal.reason, performance.now() - startedAt);
      return outcomeForError(error);
    }
  }
}

/** A function, so the compiler does not assume the flag unchanged since the last check. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
