import {
  type Clock,
  errorMessage,
  type FireOutcome,
  type FireRequest,
  openTriggerSecrets,
  type SecretBox,
  type SigningSecret,
  SystemClock,
  type TriggerProvider,
  type TriggerSpec,
} from '@scheduleman/domain';
import type { HttpClient } from './http-client';
import { DeliverySigner } from '../signing/delivery-signer';
import type { SigningSecretSource } from '../signing/signing-secret-source';
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
   * The installation secrets (WEBHOOK_SIGNING_SECRETS), decoded once at start: they sign
   * the deliveries of schedules without an owner, and of owners without an active
   * secret of their own. Default none: those deliveries go unsigned.
   */
  signingSecrets?: readonly SigningSecret[];
  /**
   * The owners' secrets (/signing-secrets), cached per owner (SigningSecretsCache).
   * Default none: only the installation secrets sign.
   */
  ownerSecrets?: SigningSecretSource;
  /**
   * Opens the sealed secret header values (SECRETS_KEY, SECRETS_KEY_PREVIOUS). Default
   * none: values stored as given are sent, and a sealed one fails the execution.
   */
  secretBox?: SecretBox | null;
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
 * Each attempt is signed (Standard Webhooks) with every active secret of the schedule's
 * owner; an owner without one (and a schedule without an owner) gets the installation
 * secrets; with neither the attempt goes unsigned. An owner whose secrets exist but none
 * opens is not sent unsigned (its receivers would refuse it, or worse, accept unsigned
 * deliveries): the attempt is a retryable failure until an operator fixes SECRETS_KEY.

 * Secret header values are stored sealed (docs/security.md, "Secrets at rest") and opened
 * here, for each attempt, with the SECRET_BOX.
 */
export class WebhookTriggerProvider implements TriggerProvider {
  readonly type = WEBHOOK_TRIGGER_TYPE;
  private readonly signer: DeliverySigner;
  private readonly secretBox: SecretBox | null;

  constructor(
    private readonly client: HttpClient,
    options: WebhookTriggerProviderOptions = {},
  ) {
    this.signer = new DeliverySigner({
      clock: options.clock ?? new SystemClock(),
      installationSecrets: options.signingSecrets ?? [],
      ownerSecrets: options.ownerSecrets,
    });
    this.secretBox = options.secretBox ?? null;
  }

  async fire(
    request: FireRequest,
    options: { signal: AbortSignal },
  ): Promise<FireOutcome> {
    const { signal } = options;
    // Opened per attempt and kept only in this call: plaintext never reaches a row or a log.
    let trigger: TriggerSpec;
    try {
      trigger = openTriggerSecrets(
        request.trigger,
        request.scheduleId,
        this.secretBox,
      );
    } catch (error) {
      // Another attempt would meet the same stored value: permanent. The message names
      // the header and the key id, never a value (SecretsKeyError).
      return {
        kind: 'permanent',
        error: `cannot open a secret header value: ${errorMessage(error)}`,
      };
    }
    // Without an owner to look up, no await: one promise and microtask fewer per fire.
    const signing =
      this.signer.withoutLookup(request.scheduleOwner) ??
      (await this.signer.signingFor(request.scheduleOwner));
    if ('error' in signing) return { kind: 'retryable', error: signing.error };
    // A trigger without sealed headers comes back as is: no copy of the request then.
    const call = buildWebhookCall(
      trigger === request.trigger ? request : { ...request, trigger },
      signing,
      signal,
    );
    if ('invalid' in call) return { kind: 'permanent', error: call.invalid };
    const startedAt = performance.now();
    if (signal.aborted) return outcomeForAbort(signal.reason, 0);
    try {
      const { status } = await this.client.send(call);
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
