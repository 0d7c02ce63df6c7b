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

export interface SigningSecretsCacheOptions {
  /** Default SIGNING_SECRETS_CACHE_MS. */
  ttlMs?: number;
  /** A monotonic clock in ms. Default performance.now (wall-clock jumps do not matter). */
  nowMs?: () => number;
  maxOwners?: number;
}

interface Entry {
  /** When the read began: its snapshot is at least this recent. */
  readFromMs: number;
  value: Promise<OwnerSigningSecrets>;
}

/**
 * An owner's active signing secrets for SIGNING_SECRETS_CACHE_MS, so a scheduler reads
 * them once per owner and cache time instead of once per fire. Concurrent fires of one
 * owner share one read.
 *
 * The bound holds whatever the timing: an entry is fresh while less than `ttlMs` has
 * passed since its read *began* (the database snapshot is taken after that instant), and
 * it is checked again after awaiting, so a read that was slow, or that a fire joined
 * late, is never used past its time. A read that began after the retirement committed
 * does not contain the secret; one that began before it is used only until
 * `readFromMs + ttlMs`, which is before `retired + ttlMs`.
 *
 * Failed reads are not remembered: the next fire reads again.
 */
export class SigningSecretsCache implements SigningSecretSource {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly nowMs: () => number;
  private readonly maxOwners: number;

  constructor(
    private readonly read: (owner: string) => Promise<OwnerSigningSecrets>,
    options: SigningSecretsCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? SIGNING_SECRETS_CACHE_MS;
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.maxOwners = options.maxOwners ?? MAX_CACHED_OWNERS;
  }

  async activeFor(owner: string): Promise<OwnerSigningSecrets> {
    // A second round only when a read outlived its own freshness (slower than ttlMs).
    for (let round = 1; ; round++) {
      const cached = this.entries.get(owner);
      const entry =
        cached && this.isFresh(cached) ? cached : this.startRead(owner);
      const value = await entry.value;
      if (this.isFresh(entry)) return value;
      if (round === 2)
        throw new Error(
          `reading the signing secrets took longer than ${String(this.ttlMs)} ms`,
        );
    }
  }

  /** Owners remembered now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private isFresh(entry: Entry): boolean {
    return this.nowMs() - entry.readFromMs < this.ttlMs;
  }

  private startRead(owner: string): Entry {
    const entry: Entry = {
      readFromMs: this.nowMs(),
      value: this.read(owner),
    };
    entry.value.catch(() => {
      if (this.entries.get(owner) === entry) this.entries.delete(owner);
    });
    if (!this.entries.has(owner) && this.entries.size >= this.maxOwners)
      this.evict();
    this.entries.set(owner, entry);
    return entry;
  }

  private evict(): void {
    for (const [owner, entry] of this.entries)
      if (!this.isFresh(entry)) this.entries.delete(owner);
    if (this.entries.size >= this.maxOwners) this.entries.clear();
  }
}
