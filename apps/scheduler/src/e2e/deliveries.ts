import {
  executionIdFor,
  type ExecutionResponse,
  type ReceivedKeyResponse,
} from '@scheduleman/domain';
import type { PretenderClient } from '@scheduleman/testkit';

/** The promise (docs/architecture.md, promise 2): every occurrence within ±10 s of its time. */
export const ON_TIME_MS = 10_000;

export interface Occurrence {
  scheduleId: string;
  scheduledAt: Date;
  /** The deterministic execution id, i.e. the Idempotency-Key the receiver must see. */
  key: string;
}

export function occurrence(scheduleId: string, scheduledAt: Date): Occurrence {
  return {
    scheduleId,
    scheduledAt,
    key: executionIdFor(scheduleId, scheduledAt),
  };
}

/** Occurrences of a every-second cron from `first` to `last` inclusive. */
export function everySecond(
  scheduleId: string,
  first: Date,
  last: Date,
): Occurrence[] {
  const out: Occurrence[] = [];
  for (let t = first.getTime(); t <= last.getTime(); t += 1_000)
    out.push(occurrence(scheduleId, new Date(t)));
  return out;
}

/**
 * The occurrences of the every-second cron `scheduleId` from the first to the last
 * succeeded execution of its `history`: what the receiver must have seen once it settled.
 */
export function everySecondFired(
  scheduleId: string,
  history: readonly ExecutionResponse[],
): Occurrence[] {
  const fires = history
    .filter((e) => e.status === 'succeeded')
    .map((e) => Date.parse(e.scheduledAt));
  return everySecond(
    scheduleId,
    new Date(Math.min(...fires)),
    new Date(Math.max(...fires)),
  );
}

export interface DeliveryReport {
  expected: number;
  /** Keys the receiver never saw. */
  missing: Occurrence[];
  /** First arrivals outside ±10 s. */
  offTime: { key: string; latenessMs: number | null }[];
  /** Keys that arrived more than once (harmless by design: they share the key). */
  repeated: ReceivedKeyResponse[];
  maxLatenessMs: number;
}

/** What the receiver saw for the expected occurrences, per key. */
export async function reportDeliveries(
  pretender: PretenderClient,
  expected: Occurrence[],
): Promise<DeliveryReport> {
  const seen = new Map((await pretender.keys()).map((k) => [k.key, k]));
  const report: DeliveryReport = {
    expected: expected.length,
    missing: [],
    offTime: [],
    repeated: [],
    maxLatenessMs: -Infinity,
  };
  for (const o of expected) {
    const key = seen.get(o.key);
    if (!key) {
      report.missing.push(o);
      continue;
    }
    if (key.latenessMs === null || Math.abs(key.latenessMs) > ON_TIME_MS)
      report.offTime.push({ key: o.key, latenessMs: key.latenessMs });
    if (key.count > 1) report.repeated.push(key);
    report.maxLatenessMs = Math.max(
      report.maxLatenessMs,
      key.latenessMs ?? Infinity,
    );
  }
  return report;
}

/** For waitFor: all expected keys arrived. */
export async function allArrived(
  pretender: PretenderClient,
  expected: Occurrence[],
): Promise<boolean> {
  return (await reportDeliveries(pretender, expected)).missing.length === 0;
}
