import type { Page } from './schedule.contract';

/** Body of `POST /signing-secrets`. */
export interface CreateSigningSecretRequest {
  /**
   * The owner whose deliveries it signs. Absent: the key's owner. A key bound to an
   * owner may name only that one; the admin key must name one.
   */
  owner?: string;
}

/** A signing secret as `GET /signing-secrets` lists it: never the secret itself. */
export interface SigningSecretResponse {
  id: string;
  owner: string;
  /** First 12 hex digits of SHA-256 of the secret's text, to tell secrets apart. */
  fingerprint: string;
  createdAt: string;
  /** When it was retired (DELETE /signing-secrets/:id); null while it signs. */
  retiredAt: string | null;
}

/** The answer of `POST /signing-secrets`: the only time `secret` is ever shown. */
export interface CreatedSigningSecretResponse extends SigningSecretResponse {
  /** `whsec_` + base64 of 32 random bytes, what a Standard Webhooks receiver verifies with. */
  secret: string;
}

export type SigningSecretListResponse = Page<SigningSecretResponse>;
