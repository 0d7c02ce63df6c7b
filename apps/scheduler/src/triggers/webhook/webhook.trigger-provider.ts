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
 * The call settles no later than the signal: even if a client ignored the abort in some
 * phase, the race below returns the timeout outcome at once, so a lease is never held
 * past the 3 s initiation bound because of a misbehaving socket.
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

    let onAbort: (() => void) | undefined;
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const sent = this.client.send({ ...call, signal });
      // The losing promise must not surface as an unhandled rejection later.
      sent.catch(() => undefined);
      const result = await Promise.race([sent, aborted]);
      if (result === 'aborted')
        return outcomeForAbort(signal.reason, performance.now() - startedAt);
      return outcomeForStatus(result.status);
    } catch (error) {
      if (signal.aborted)
        return outcomeForAbort(signal.reason, performance.now() - startedAt);
      return outcomeForError(error);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }
}
