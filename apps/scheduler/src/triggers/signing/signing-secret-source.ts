import type { SigningSecret } from '@scheduleman/domain';

/** One owner's active signing secrets, as the webhook provider signs with them. */
export interface OwnerSigningSecrets {
  /** The active secrets that opened, decoded, oldest first. */
  secrets: readonly SigningSecret[];
  /**
   * Active secrets that could not be used (sealed with a key this scheduler lacks, or
   * altered). Logged where they were read; counted so the provider can tell "no secret"
   * (installation secrets apply) from "secrets, none usable" (do not send unsigned).
   */
  unusable: number;
}

/** Where the webhook provider gets an owner's active secrets (SigningSecretsCache). */
export interface SigningSecretSource {
  /** Rejects with a message fit for an execution's error when they cannot be read. */
  activeFor(owner: string): Promise<OwnerSigningSecrets>;
}
