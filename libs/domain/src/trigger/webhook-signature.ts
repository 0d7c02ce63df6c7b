import {
  createHash,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { DomainError } from '../errors';

/**
 * Signed deliveries, Standard Webhooks 1.0 (https://www.standardwebhooks.com): every
 * attempt carries `webhook-id`, `webhook-timestamp` and, when at least one secret is
 * active, `webhook-signature`. A receiver verifies with any reference library.
 */
export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** Every secret's text starts with this; the rest is the base64 of the HMAC key. */
export const SIGNING_SECRET_PREFIX = 'whsec_';
export const SIGNING_SECRET_MIN_BYTES = 24;
export const SIGNING_SECRET_MAX_BYTES = 64;
/** What generateSigningSecret draws: 256 bits, SHA-256's output size (RFC 2104's minimum). */
export const DEFAULT_SIGNING_SECRET_BYTES = 32;

/**
 * A decoded signing secret, ready to sign with. The key is a KeyObject, so the secret
 * cannot end up in a log or a JSON answer by accident (both print it as `{}`).
 */
export interface SigningSecret {
  readonly key: KeyObject;
}

/** A secret's text is malformed. The message never contains the text. */
export class InvalidSigningSecretError extends DomainError {
  readonly code = 'INVALID_SIGNING_SECRET';
}

/** Standard base64 with its padding, as the reference libraries decode it. */
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes `whsec_<base64 of 24..64 bytes>` into its HMAC key, the bytes the reference
 * libraries sign with (they strip the prefix and base64-decode the rest). Only canonical
 * base64 is accepted: a URL-safe or unpadded spelling would decode differently, or not
 * at all, on the receiver's side, and every signature would fail there.
 */
export function parseSigningSecret(text: string): SigningSecret {
  if (!text.startsWith(SIGNING_SECRET_PREFIX)) {
    throw new InvalidSigningSecretError(
      `must start with "${SIGNING_SECRET_PREFIX}"`,
    );
  }
  const encoded = text.slice(SIGNING_SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) {
    throw new InvalidSigningSecretError(
      `must be "${SIGNING_SECRET_PREFIX}" followed by standard base64 (A-Z a-z 0-9 + /, padded with =)`,
    );
  }
  const bytes = Buffer.from(encoded, 'base64');
  if (
    bytes.length < SIGNING_SECRET_MIN_BYTES ||
    bytes.length > SIGNING_SECRET_MAX_BYTES
  ) {
    throw new InvalidSigningSecretError(
      `must encode ${SIGNING_SECRET_MIN_BYTES} to ${SIGNING_SECRET_MAX_BYTES} bytes (got ${bytes.length})`,
    );
  }
  return { key: createSecretKey(bytes) };
}

/** A new secret's text: `whsec_` + base64 of `byteLength` random bytes. */
export function generateSigningSecret(
  byteLength = DEFAULT_SIGNING_SECRET_BYTES,
): string {
  if (
    !Number.isInteger(byteLength) ||
    byteLength < SIGNING_SECRET_MIN_BYTES ||
    byteLength > SIGNING_SECRET_MAX_BYTES
  ) {
    throw new RangeError(
      `generateSigningSecret: byteLength must be an integer from ${SIGNING_SECRET_MIN_BYTES} to ${SIGNING_SECRET_MAX_BYTES}`,
    );
  }
  return SIGNING_SECRET_PREFIX + randomBytes(byteLength).toString('base64');
}

/**
 * Active secrets one owner may hold at once (POST /signing-secrets beyond it: 409). Each
 * costs one HMAC on every attempt and about 50 bytes of webhook-signature; a rotation
 * needs two.
 */
export const MAX_ACTIVE_SIGNING_SECRETS = 10;

/** The SecretBox context (additional data) a stored signing secret is sealed under. */
export function signingSecretSealContext(id: string): string {
  return `signing-secret:${id}`;
}

/** Hex digits of a secret's fingerprint. */
export const SIGNING_SECRET_FINGERPRINT_LENGTH = 12;

/**
 * A short, public name of a secret: the first 12 hex digits of SHA-256 of its whole text
 * (`whsec_…`). Lists show it so an owner can tell which secret a receiver holds
 * (`printf %s "$SECRET" | sha256sum | cut -c1-12`); the secret's 192+ random bits make it
 * useless for guessing the secret.
 */
export function fingerprintSigningSecret(text: string): string {
  return createHash('sha256')
    .update(text, 'utf8')
    .digest('hex')
    .slice(0, SIGNING_SECRET_FINGERPRINT_LENGTH);
}

export interface WebhookToSign {
  /** `webhook-id`: the execution id, the same on every retry of one occurrence. */
  id: string;
  /** `webhook-timestamp`: Unix seconds of this attempt. */
  timestampSeconds: number;
  /** The exact body sent; a string is signed as its UTF-8 bytes. Empty when none. */
  body: Buffer | string;
  /** The active secrets; one signature each, so receivers can move between them. */
  secrets: readonly SigningSecret[];
}

/**
 * The `webhook-signature` value: `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`
 * per secret, space-separated; undefined with no secret (the delivery goes unsigned).
 * One HMAC per secret and nothing else: it runs on every attempt.
 */
export function signWebhook(webhook: WebhookToSign): string | undefined {
  const { secrets } = webhook;
  if (secrets.length === 0) return undefined;
  if (!Number.isSafeInteger(webhook.timestampSeconds))
    throw new RangeError('signWebhook: timestampSeconds must be an integer');
  const prefix = `${webhook.id}.${String(webhook.timestampSeconds)}.`;
  const body = webhook.body;
  let value = '';
  for (const secret of secrets) {
    const hmac = createHmac('sha256', secret.key).update(prefix, 'utf8');
    if (typeof body === 'string') hmac.update(body, 'utf8');
    else hmac.update(body);
    value += `${value === '' ? '' : ' '}v1,${hmac.digest('base64')}`;
  }
  return value;
}
