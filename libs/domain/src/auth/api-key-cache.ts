import type { Clock } from '../clock';
import type { Scope } from './scopes';

/** API_KEY_CACHE_TTL_MS default: how long an authenticated key is remembered, in ms. */
export const DEFAULT_API_KEY_CACHE_TTL_MS = 1_000;

/** Bound on the entries, so that a flood of distinct valid keys cannot grow it without end. */
export const MAX_CACHED_API_KEYS = 10_000;

/** What authentication needs of a usable key, as its lookup read it. */
export interface CachedApiKey {
  id: string;
  owner: string;
  scopes: Scope[];
  expiresAt: Date | null;
}

/** Taken before a lookup, given back with its result: see ApiKeyCache.remember. */
export type CacheTicket = number;

/**
 * The keys this process authenticated in the last `ttlMs`, by key hash, so that most
 * requests need no lookup (docs/security.md "API keys"). Only usable keys are kept; an
 * expired one is refused by its `expiresAt` (the caller checks it on every hit).
 * Revocation drops entries: `forget(id)` on the revoking process before it answers,
 * `clear()` on every other process when the revoking transaction's NOTIFY arrives (or
 * its LISTEN connection was lost, since a notification may have been missed); the TTL
 * bounds what a missed notification can cost.
 *
 * A lookup that raced a revocation must not put the pre-revocation row back: `ticket()`
 * before the lookup, `remember(..., ticket)` after it, and anything dropped in between
 * makes that remember a no-op.
 */
export class ApiKeyCache {
  private readonly byHash = new Map<
    string,
    { key: CachedApiKey; storedAtMs: number }
  >();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly maxEntries = MAX_CACHED_API_KEYS,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The key remembered for `hash`, unless it is older than the TTL (then forgotten). */
  lookup(hash: string): CachedApiKey | undefined {
    const entry = this.byHash.get(hash);
    if (!entry) return undefined;
    if (this.clock.now().getTime() - entry.storedAtMs >= this.ttlMs) {
      this.byHash.delete(hash);
      return undefined;
    }
    return entry.key;
  }

  ticket(): CacheTicket {
    return this.generation;
  }

  /** Keeps `key` for `hash`, unless the cache is off or something was dropped since `ticket`. */
  remember(hash: string, key: CachedApiKey, ticket: CacheTicket): void {
    if (!this.enabled || ticket !== this.generation) return;
    // Re-inserted at the end: the first entry in the map is always the oldest.
    this.byHash.delete(hash);
    if (this.byHash.size >= this.maxEntries) {
      const oldest = this.byHash.keys().next();
      if (!oldest.done) this.byHash.delete(oldest.value);
    }
    this.byHash.set(hash, { key, storedAtMs: this.clock.now().getTime() });
  }

  /** Drops the key with this id (a revocation on this process). */
  forget(id: string): void {
    this.generation++;
    for (const [hash, entry] of this.byHash)
      if (entry.key.id === id) this.byHash.delete(hash);
  }

  /** Drops everything (a revocation elsewhere, or notifications possibly missed). */
  clear(): void {
    this.generation++;
    this.byHash.clear();
  }

  get size(): number {
    return this.byHash.size;
  }
}
