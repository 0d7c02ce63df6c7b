/*
 * What task-pretender (the test webhook receiver) serves under /stats. Its StatsController
 * returns these types and the test kit's PretenderClient reads them, so the compiler
 * reports any drift on either side. They live here because both may import the domain,
 * and neither may import the other (the kit is a library, the pretender an app).
 */

/** Percentiles of first-arrival lateness in ms; null until something was measured. */
export interface LatenessSummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  min: number | null;
  mean: number | null;
}

/** The counters of what arrived, since start-up or the last reset. */
export interface ReceptionCounts {
  /** Every webhook received. */
  received: number;
  /** Distinct idempotency keys seen (exact while fewer than the tracked-keys limit). */
  unique: number;
  /** Webhooks whose key had been seen before (retries included). */
  duplicates: number;
  /** 2xx answers for a key already answered 2xx: real duplicate deliveries. */
  redelivered: number;
  accepted: number;
  rejected: number;
  withoutKey: number;
  /** Keys currently remembered (the oldest are forgotten beyond the limit). */
  trackedKeys: number;
  /** First-arrival lateness per key, in ms. */
  lateness: LatenessSummary;
  /** When counting started (ISO-8601): start-up or the last reset. */
  since: string;
}

/** The pretended background work (`?work=1`). */
export interface PretendedWork {
  inFlight: number;
  completed: number;
}

/** `GET /stats`. */
export interface PretenderStatsResponse extends ReceptionCounts {
  work: PretendedWork;
}

/** `GET /stats/keys/:key`, and each item of `GET /stats/keys`. */
export interface ReceivedKeyResponse {
  key: string;
  /** Webhooks that carried this key (first attempt, retries and duplicates). */
  count: number;
  /** Of those, the ones answered 2xx. */
  accepted: number;
  /** First arrival minus X-Scheduleman-Scheduled-At, in ms; null without that header. */
  latenessMs: number | null;
  firstArrivalAt: string;
}

/** Each item of `GET /stats/requests`: one webhook kept in full. */
export interface ReceivedRequestResponse {
  arrivedAt: string;
  method: string;
  path: string;
  key: string | null;
  /** The status the pretender answered (or will answer, for a stalled request). */
  status: number;
  latenessMs: number | null;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** `GET /stats/keys` (newest last) and `GET /stats/requests` (newest first). */
export interface PretenderListResponse<T> {
  items: T[];
}
