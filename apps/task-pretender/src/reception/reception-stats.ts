import type { ReceptionCounts } from '@scheduleman/domain';
import { LatenessSamples } from './lateness-samples';

/** What the pretender remembers about one idempotency key (one occurrence). */
export interface KeyRecord {
  /** Webhooks that carried this key (first attempt, retries and duplicates). */
  count: number;
  /** Of those, the ones answered 2xx. More than 1 means a delivered occurrence arrived again. */
  accepted: number;
  /** First arrival minus X-Scheduleman-Scheduled-At, in ms; null without that header. */
  latenessMs: number | null;
  /** Epoch ms of the first arrival. */
  firstArrivalMs: number;
}

/** One arrival as the receiver saw it. */
export interface Arrival {
  key: string | undefined;
  /** Epoch ms parsed from X-Scheduleman-Scheduled-At, NaN when absent or unparsable. */
  scheduledAtMs: number;
  arrivalMs: number;
  /** Whether this arrival is answered 2xx. */
  accepted: boolean;
}

export interface ReceptionLimits {
  maxTrackedKeys: number;
  maxLatenessSamples: number;
}

/**
 * Counts what arrived, per idempotency key, in bounded memory: the oldest keys are
 * forgotten beyond `maxTrackedKeys` (a duplicate of a forgotten key then counts as
 * unique), and lateness percentiles come from a bounded reservoir.
 *
 * Lateness is taken at a key's FIRST arrival: that is when the occurrence was initiated;
 * later arrivals are retries or duplicates whose delay says nothing about being on time.
 */
export class ReceptionStats {
  private keys = new Map<string, KeyRecord>();
  private lateness: LatenessSamples;
  private counts = emptyCounts();
  private sinceMs: number;

  constructor(
    private readonly limits: ReceptionLimits,
    nowMs: number,
  ) {
    this.lateness = new LatenessSamples(limits.maxLatenessSamples);
    this.sinceMs = nowMs;
  }

  /** Records one arrival: is it the key's first, a repeated 2xx delivery, and how late was the key's first arrival. */
  record(arrival: Arrival): {
    first: boolean;
    redelivered: boolean;
    latenessMs: number | null;
  } {
    const c = this.counts;
    c.received++;
    if (arrival.accepted) c.accepted++;
    else c.rejected++;
    if (arrival.key === undefined) {
      c.withoutKey++;
      return { first: true, redelivered: false, latenessMs: null };
    }
    const known = this.keys.get(arrival.key);
    if (known) {
      c.duplicates++;
      known.count++;
      const redelivered = arrival.accepted && known.accepted > 0;
      if (redelivered) c.redelivered++;
      if (arrival.accepted) known.accepted++;
      return { first: false, redelivered, latenessMs: known.latenessMs };
    }
    c.unique++;
    const latenessMs = Number.isNaN(arrival.scheduledAtMs)
      ? null
      : arrival.arrivalMs - arrival.scheduledAtMs;
    this.keys.set(arrival.key, {
      count: 1,
      accepted: arrival.accepted ? 1 : 0,
      latenessMs,
      firstArrivalMs: arrival.arrivalMs,
    });
    if (latenessMs !== null) this.lateness.add(latenessMs);
    if (this.keys.size > this.limits.maxTrackedKeys) {
      // Maps iterate in insertion order: the first key is the oldest.
      const oldest = this.keys.keys().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    return { first: true, redelivered: false, latenessMs };
  }

  get(key: string): KeyRecord | undefined {
    return this.keys.get(key);
  }

  /** The most recently first-seen keys, newest last. */
  recentKeys(limit: number): [string, KeyRecord][] {
    const all = [...this.keys.entries()];
    return all.slice(Math.max(0, all.length - limit));
  }

  /** The counters GET /stats serves (the pretender's HTTP contract). */
  snapshot(): ReceptionCounts {
    return {
      ...this.counts,
      trackedKeys: this.keys.size,
      lateness: this.lateness.summarize(),
      since: new Date(this.sinceMs).toISOString(),
    };
  }

  reset(nowMs: number): void {
    this.keys = new Map();
    this.lateness = new LatenessSamples(this.limits.maxLatenessSamples);
    this.counts = emptyCounts();
    this.sinceMs = nowMs;
  }
}

function emptyCounts() {
  return {
    received: 0,
    unique: 0,
    duplicates: 0,
    redelivered: 0,
    accepted: 0,
    rejected: 0,
    withoutKey: 0,
  };
}
