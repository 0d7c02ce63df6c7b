import { Inject, Injectable } from '@nestjs/common';
import type {
  FireOutcome,
  FireRequest,
  TriggerProvider,
} from '@scheduleman/domain';
import { WEBHOOK_HTTP_CLIENT, type HttpClient } from './http-client';
import {
  outcomeForAbort,
  outcomeForError,
  outcomeForStatus,
} from './webhook-outcome';
import { buildWebhookCall } from './webhook-request';

export const WEBHOOK_TRIGGER_TYPE = 'webhook';

/**
 * Fires a webhook: one HTTP request per attempt, carrying the occurrence's
 * Idempotency-Key. Never throws: every failure becomes a FireOutcome.
 *
 * The signal goes to the HTTP client, which rejects as soon as it fires (the HttpClient
 * contract). The FireExecutor also races every call against its deadline, so a lease is
 * never held past the 3 s initiation bound even if a client ignored the abort in some
 * phase; racing here too cost an extra listener and promise per call for nothing.
 */
@Injectable()
export class WebhookTriggerProvider implements TriggerProvider {
  readonly type = WEBHOOK_TRIGGER_TYPE;

  constructor(
    @Inject(WEBHOOK_HTTP_CLIENT) private readonly client: HttpClient,
  ) {}

  async fire(
    request: FireRequest,
    options: { signal: AbortSignal },
  ): Promise<FireOutcome> {
    const { signal } = options;
    const call = buildWebhookCall(request);
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
