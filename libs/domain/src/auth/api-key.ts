import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys: `smk_` followed by 43 characters of base64url (256 random bits). The prefix
 * lets secret scanners (GitHub push protection, gitleaks, trufflehog) recognise a leaked
 * key; the length makes guessing pointless, so a key is stored as its SHA-256 (a slow
 * password hash buys nothing against 256 bits and would cost every request).
 */
export const API_KEY_PREFIX = 'smk_';
const API_KEY_RANDOM_BYTES = 32;
const API_KEY_PATTERN = /^smk_[A-Za-z0-9_-]{43}$/;
/** How many leading characters of a key are kept in clear, to tell keys apart in lists and logs. */
export const API_KEY_DISPLAY_LENGTH = 12;

export interface NewApiKey {
  /** The key itself: shown once, in the answer of POST /api-keys, and never stored. */
  key: string;
  /** SHA-256 of the key: what is stored and looked up. */
  hash: Buffer;
  /** The first API_KEY_DISPLAY_LENGTH characters, e.g. `smk_Xy3…`. */
  displayPrefix: string;
}

export function generateApiKey(): NewApiKey {
  const key =
    API_KEY_PREFIX + randomBytes(API_KEY_RANDOM_BYTES).toString('base64url');
  return {
    key,
    hash: hashApiKey(key),
    displayPrefix: key.slice(0, API_KEY_DISPLAY_LENGTH),
  };
}

/** The stored form of any presented key (also of ADMIN_API_KEY, which has no fixed shape). */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** True for the shape generateApiKey produces; anything else cannot be a stored key. */
export function isApiKeyShaped(text: string): boolean {
  return API_KEY_PATTERN.test(text);
}

/** The least ADMIN_API_KEY may have (the contract's rule). */
export const MIN_ADMIN_API_KEY_LENGTH = 32;

/**
 * The credentials of an `Authorization: Bearer <key>` header, or undefined when the
 * header is absent or another scheme. The scheme is case-insensitive (RFC 7235).
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
  return match?.[1];
}
