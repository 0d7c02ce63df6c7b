import {
  type Clock,
  errorMessage,
  type SigningSecret,
} from '@scheduleman/domain';
import type { SigningSecretSource } from './signing-secret-source';

/** What signs one attempt (Standard Webhooks; see libs/domain webhook-signature.ts). */
export interface DeliverySigning {
  /** Unix seconds of this attempt, sent as webhook-timestamp. */
  timestampSeconds: number;
  /** The active secrets of the delivery, already decoded; none = unsigned. */
  secrets: readonly SigningSecret[];
}

export interface DeliverySignerOptions {
  /** Stamps webhook-timestamp on each attempt. */
  clock: Clock;
  /**
   * The installation secrets (WEBHOOK_SIGNING_SECRETS), decoded once at start: they sign
   * the deliveries of schedules without an owner, and of owners without an active
   * secret of their own. None: those deliveries go unsigned.
   */
  installationSecrets: readonly SigningSecret[];
  /** The owners' secrets (/signing-secrets), cached per owner. None: only the installation's sign. */
  ownerSecrets?: SigningSecretSource;
}

/**
 * Which secrets sign one attempt, and its timestamp: the same rule for a webhook and for
 * every broker message (docs/security.md, "Signed deliveries").
 *
 * Each attempt is signed with every active secret of the schedule's owner; an owner
 * without one (and a schedule without an owner) gets the installation secrets; with
 * neither the attempt goes unsigned. An owner whose secrets exist but none opens is not
 * sent unsigned (its receivers would refuse it, or worse, accept unsigned deliveries):
 * the attempt is a retryable failure until an operator fixes SECRETS_KEY.
 */
export class DeliverySigner {
  constructor(private readonly options: DeliverySignerOptions) {}

  /**
   * The signing of an attempt that needs no owner lookup (no owner, or no owner
   * secrets configured), without a promise; undefined when signingFor must look up.
   */
  withoutLookup(owner: string | null): DeliverySigning | undefined {
    if (owner !== null && this.options.ownerSecrets !== undefined)
      return undefined;
    return {
      timestampSeconds: Math.floor(this.options.clock.now().getTime() / 1000),
      secrets: this.options.installationSecrets,
    };
  }

  async signingFor(
    owner: string | null,
  ): Promise<DeliverySigning | { error: string }> {
    // Of this attempt, taken before its secrets are looked up: an attempt stamped 5 s or
    // more after a secret was retired is never signed with it (docs/security.md). A
    // retry is stamped afresh, so it passes the receiver's tolerance.
    const timestampSeconds = Math.floor(
      this.options.clock.now().getTime() / 1000,
    );
    const source = this.options.ownerSecrets;
    // Without an owner nothing is read, and nothing awaited.
    if (owner === null || source === undefined)
      return { timestampSeconds, secrets: this.options.installationSecrets };
    let found;
    try {
      found = await source.activeFor(owner);
    } catch (error) {
      return { error: `not sent: ${errorMessage(error)}` };
    }
    if (found.secrets.length > 0)
      return { timestampSeconds, secrets: found.secrets };
    if (found.unusable > 0)
      return {
        error: `not sent: none of the owner's ${String(found.unusable)} active signing secrets opens with this scheduler's SECRETS_KEY`,
      };
    return { timestampSeconds, secrets: this.options.installationSecrets };
  }
}
