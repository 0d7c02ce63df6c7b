import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
} from 'node:crypto';
import { DomainError } from '../errors';

/**
 * Secrets at rest (docs/security.md): every stored secret (secret header values,
 * connection credentials, signing secrets) is sealed with AES-256-GCM under SECRETS_KEY.
 *
 * A sealed value is text: `sm1.<key id>.<iv>.<ciphertext>.<tag>`, the last three in
 * base64url. The key id is the first 8 hex digits of SHA-256(key), so a value names the
 * key that opens it: during a rotation SECRETS_KEY (new, seals and opens) and
 * SECRETS_KEY_PREVIOUS (old, opens only) are both given, and values sealed with the old
 * one are re-sealed (`needsResealing`). `context` is the GCM additional data: a value
 * sealed for one row and column does not open anywhere else (no swapping ciphertexts
 * between rows in the database).
 */
export const SEALED_PREFIX = 'sm1.';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** SECRETS_KEY is malformed, or a value does not open. The message never holds a secret. */
export class SecretsKeyError extends DomainError {
  readonly code = 'SECRETS_KEY_INVALID';
}

export interface SecretsKey {
  readonly id: string;
  readonly bytes: Buffer;
}

/** Decodes SECRETS_KEY: standard base64 (or base64url) of exactly 32 bytes. */
export function parseSecretsKey(text: string): SecretsKey {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(trimmed))
    throw new SecretsKeyError('must be the base64 of 32 random bytes');
  const bytes = Buffer.from(trimmed, 'base64');
  if (bytes.length !== KEY_BYTES)
    throw new SecretsKeyError(
      `must be the base64 of 32 random bytes (got ${bytes.length} bytes); generate one with: openssl rand -base64 32`,
    );
  return { id: keyIdOf(bytes), bytes };
}

/** A new SECRETS_KEY value. */
export function generateSecretsKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

function keyIdOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 8);
}

export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

export class SecretBox {
  private readonly byId: Map<string, SecretsKey>;

  /** `current` seals and opens; `previous` (SECRETS_KEY_PREVIOUS) only opens. */
  constructor(
    private readonly current: SecretsKey,
    previous: readonly SecretsKey[] = [],
  ) {
    this.byId = new Map([...previous, current].map((k) => [k.id, k]));
  }

  /**
   * The raw key bytes, SECRETS_KEY first, then SECRETS_KEY_PREVIOUS: for keys derived
   * from them (result tokens), never sent anywhere.
   */
  get keyBytes(): Buffer[] {
    return [
      this.current.bytes,
      ...[...this.byId.values()]
        .filter((k) => k !== this.current)
        .map((k) => k.bytes),
    ];
  }

  /** The id of the key that seals, as it appears in sealed values. */
  get currentKeyId(): string {
    return this.current.id;
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
    ]);
    return [
      SEALED_PREFIX.slice(0, -1),
      this.current.id,
      iv.toString('base64url'),
      ciphertext.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  /** Throws SecretsKeyError when the value is malformed, its key is unknown, or it was tampered with. */
  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || `${parts[0]}.` !== SEALED_PREFIX)
      throw new SecretsKeyError('a stored secret is not a sealed value');
    const [, keyId, iv, ciphertext, tag] = parts as [
      string,
      string,
      string,
      string,
      string,
    ];
    const key = this.byId.get(keyId);
    if (!key)
      throw new SecretsKeyError(
        `a stored secret was sealed with key ${keyId}, which is neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS`,
      );
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES)
      throw new SecretsKeyError('a stored secret is not a sealed value');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, ivBytes);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretsKeyError(
        'a stored secret does not open: it was altered, or sealed for another row',
      );
    }
  }

  /** True when `sealed` was sealed with a key other than SECRETS_KEY (a rotation is under way). */
  needsResealing(sealed: string): boolean {
    return sealed.split('.')[1] !== this.current.id;
  }
}
