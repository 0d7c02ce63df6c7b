import {
  FreshReadCache,
  type FreshReadCacheOptions,
} from '../../support/fresh-read-cache';
import type {
  OwnerSigningSecrets,
  SigningSecretSource,
} from './signing-secret-source';

/**
 * How long an owner's secrets, once read, sign its deliveries without being read again.
 * This is the bound docs/security.md states: an attempt that starts more than this long
 * after `DELETE /signing-secrets/:id` answered never carries the retired secret's
 * signature, and a secret created is used by every attempt that starts this long after
 * the POST answered.
 */
export const SIGNING_SECRETS_CACHE_MS = 5_000;
/** Owners remembered at once; beyond it the stale entries go, then all (a re-read each). */
export const MAX_CACHED_OWNERS = 10_000;

export interface SigningSecretsCacheOptions
  extends Partial<Pick<FreshReadCacheOptions, 'ttlMs' | 'nowMs'>> {
  maxOwners?: number;
}

/**
 * An owner's active signing secrets for SIGNING_SECRETS_CACHE_MS (a FreshReadCache by
 * owner), so a scheduler reads them once per owner and cache time instead of once per
 * fire. A read that began before a retirement committed is used only until
 * `readFromMs + ttlMs`, which is before `retired + ttlMs`: the bound above holds.
 */
export class SigningSecretsCache
  extends FreshReadCache<OwnerSigningSecrets>
  implements SigningSecretSource
{
  constructor(
    read: (owner: string) => Promise<OwnerSigningSecrets>,
    options: SigningSecretsCacheOptions = {},
  ) {
    super(read, {
      ttlMs: options.ttlMs ?? SIGNING_SECRETS_CACHE_MS,
      nowMs: options.nowMs,
      maxKeys: options.maxOwners ?? MAX_CACHED_OWNERS,
      what: 'the signing secrets',
    });
  }

  activeFor(owner: string): Promise<OwnerSigningSecrets> {
    return this.get(owner);
  }
}
