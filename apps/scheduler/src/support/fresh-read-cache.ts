export interface FreshReadCacheOptions {
  /** How long a value, once read, is used without being read again. */
  ttlMs: number;
  /** A monotonic clock in ms. Default performance.now (wall-clock jumps do not matter). */
  nowMs?: () => number;
  /** Keys remembered at once; beyond it the stale entries go, then all (a re-read each). */
  maxKeys: number;
  /** What is read, for the error of a read slower than ttlMs ("the signing secrets"). */
  what: string;
}

interface Entry<V> {
  /** When the read began: its snapshot is at least this recent. */
  readFromMs: number;
  value: Promise<V>;
}

/**
 * Values read from the database by key, each used for `ttlMs` after its read began
 * instead of being read once per fire. Concurrent gets of one key share one read.
 *
 * The bound holds whatever the timing: an entry is fresh while less than `ttlMs` has
 * passed since its read *began* (the database snapshot is taken after that instant), and
 * it is checked again after awaiting, so a read that was slow, or that a get joined
 * late, is never used past its time. A read that began after a change committed sees
 * it; one that began before it is used only until `readFromMs + ttlMs`, which is before
 * `changed + ttlMs`.
 *
 * Failed reads are not remembered: the next get reads again.
 */
export class FreshReadCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly ttlMs: number;
  private readonly nowMs: () => number;
  private readonly maxKeys: number;
  private readonly what: string;

  constructor(
    private readonly read: (key: string) => Promise<V>,
    options: FreshReadCacheOptions,
  ) {
    this.ttlMs = options.ttlMs;
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.maxKeys = options.maxKeys;
    this.what = options.what;
  }

  async get(key: string): Promise<V> {
    // A second round only when a read outlived its own freshness (slower than ttlMs).
    for (let round = 1; ; round++) {
      const cached = this.entries.get(key);
      const entry =
        cached && this.isFresh(cached) ? cached : this.startRead(key);
      const value = await entry.value;
      if (this.isFresh(entry)) return value;
      if (round === 2)
        throw new Error(
          `reading ${this.what} took longer than ${String(this.ttlMs)} ms`,
        );
    }
  }

  /** Keys remembered now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private isFresh(entry: Entry<V>): boolean {
    return this.nowMs() - entry.readFromMs < this.ttlMs;
  }

  /** Forgets `key`: the next get reads it again. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  private startRead(key: string): Entry<V> {
    const entry: Entry<V> = {
      readFromMs: this.nowMs(),
      value: this.read(key),
    };
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    if (!this.entries.has(key) && this.entries.size >= this.maxKeys)
      this.evict();
    this.entries.set(key, entry);
    return entry;
  }

  private evict(): void {
    for (const [key, entry] of this.entries)
      if (!this.isFresh(entry)) this.entries.delete(key);
    if (this.entries.size >= this.maxKeys) this.entries.clear();
  }
}
