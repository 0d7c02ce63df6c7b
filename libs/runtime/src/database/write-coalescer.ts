/**
 * Groups concurrent writes into one: what is submitted while a group is being written
 * waits for it, then goes in the next group (at most `maxGroup` items). A submission
 * that finds nothing in flight is written at once, as a group of one, so a lone caller
 * waits for nothing but its own write. Each submission gets its own outcome: `write`
 * answers one settled result per item, in the items' order, so one item's refusal is
 * not another's. If `write` itself throws, every item of that group gets the error.
 *
 * Plain TypeScript, no timers: grouping comes from the write in flight, not from a
 * delay (docs/performance.md "Single creation", 3 December evening).
 */
export interface WriteCoalescerOptions {
  /** The most items one call of `write` gets. */
  maxGroup: number;
  /** Groups written at the same time (default 1). */
  maxInFlight?: number;
}

/** Writes a group; one result per item, in the items' order. */
export type GroupWrite<I, O> = (
  items: readonly I[],
) => Promise<readonly PromiseSettledResult<O>[]>;

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

export class WriteCoalescer<I, O> {
  private readonly queue: Waiting<I, O>[] = [];
  private inFlight = 0;
  private readonly maxGroup: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly write: GroupWrite<I, O>,
    options: WriteCoalescerOptions,
  ) {
    if (!(options.maxGroup >= 1))
      throw new RangeError('maxGroup must be at least 1');
    this.maxGroup = options.maxGroup;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  }

  /** Settles when the group holding `item` is written, with this item's own result. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.startGroups();
    });
  }

  /** Submissions waiting for a group (not counting those being written). */
  get waiting(): number {
    return this.queue.length;
  }

  private startGroups(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      this.inFlight++;
      void this.writeGroup(this.queue.splice(0, this.maxGroup));
    }
  }

  private async writeGroup(group: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.write(group.map(({ item }) => item));
      group.forEach((waiting, index) => {
        const result = results[index] as PromiseSettledResult<O> | undefined;
        if (result === undefined)
          waiting.reject(new Error('the group write returned no result'));
        else if (result.status === 'fulfilled') waiting.resolve(result.value);
        else waiting.reject(result.reason);
      });
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
    } finally {
      this.inFlight--;
      // The next group starts before the answers of this one are written out, so the
      // database works on it while this process answers.
      this.startGroups();
    }
  }
}
