import type { ReceivedRequestResponse } from '@scheduleman/domain';

/**
 * One webhook kept in full, for tests and for humans checking what a scheduler sends, as
 * stored on the hot path: the arrival time stays a number until someone asks.
 */
export type RecordedRequest = Omit<ReceivedRequestResponse, 'arrivedAt'> & {
  arrivalMs: number;
};

/** A fixed-size ring of the latest webhooks: memory stays bounded whatever the load. */
export class RecentRequests {
  private readonly ring: (RecordedRequest | undefined)[];
  private next = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<RecordedRequest | undefined>(capacity);
  }

  add(request: RecordedRequest): void {
    if (this.capacity === 0) return;
    this.ring[this.next] = request;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first, optionally only those carrying `key`. */
  list(limit: number, key?: string): ReceivedRequestResponse[] {
    const out: ReceivedRequestResponse[] = [];
    for (let i = 1; i <= this.capacity && out.length < limit; i++) {
      const entry = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (entry === undefined) break;
      if (key === undefined || entry.key === key) {
        const { arrivalMs, ...rest } = entry;
        out.push({ arrivedAt: new Date(arrivalMs).toISOString(), ...rest });
      }
    }
    return out;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
  }
}
