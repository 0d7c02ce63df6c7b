import { requestJson } from '../http/request-json';

/*
 * The shapes task-pretender serves under /stats. They are written here, once, rather
 * than imported from apps/task-pretender: the test kit is a library (type:testing), and
 * a library may not depend on an app (Nx module boundaries; the apps are bundles, not
 * importable projects). The pretender's own e2e test assigns what its StatsController
 * returns to these types, so the compiler reports any drift there.
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

/** `GET /stats`. */
export interface PretenderStats {
  /** Every webhook received. */
  received: number;
  /** Distinct idempotency keys seen. */
  unique: number;
  /** Webhooks whose key had been seen before (retries included). */
  duplicates: number;
  /** 2xx answers for a key already answered 2xx: real duplicate deliveries. */
  redelivered: number;
  accepted: number;
  rejected: number;
  withoutKey: number;
  trackedKeys: number;
  lateness: LatenessSummary;
  /** When counting started (ISO-8601): start-up or the last reset. */
  since: string;
  /** The pretended background work. */
  work: { inFlight: number; completed: number };
}

/** `GET /stats/keys/:key`, and each item of `GET /stats/keys`. */
export interface KeyView {
  key: string;
  count: number;
  accepted: number;
  latenessMs: number | null;
  firstArrivalAt: string;
}

/** Each item of `GET /stats/requests`: one webhook kept in full. */
export interface ReceivedRequest {
  arrivedAt: string;
  method: string;
  path: string;
  key: string | null;
  status: number;
  latenessMs: number | null;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Reads what a running task-pretender received. */
export class PretenderClient {
  constructor(readonly baseUrl: string) {}

  /** Webhook URL on this pretender; `query` makes it misbehave (`fail=1`, `stall=5000`, …). */
  hookUrl(path = '/tasks', query = ''): string {
    return `${this.baseUrl}${query ? `${path}?${query}` : path}`;
  }

  async stats(): Promise<PretenderStats> {
    return this.get<PretenderStats>('/stats');
  }

  /** Recently first-seen keys (up to 10,000), oldest first. */
  async keys(): Promise<KeyView[]> {
    return (await this.get<{ items: KeyView[] }>('/stats/keys?limit=10000'))
      .items;
  }

  async key(key: string): Promise<KeyView | undefined> {
    const res = await requestJson<KeyView>(
      'GET',
      `${this.baseUrl}/stats/keys/${encodeURIComponent(key)}`,
    );
    return res.status === 200 ? res.body : undefined;
  }

  /** The latest webhooks carrying `key`, newest first. */
  async requests(key: string): Promise<ReceivedRequest[]> {
    const query = `limit=1000&key=${encodeURIComponent(key)}`;
    return (
      await this.get<{ items: ReceivedRequest[] }>(`/stats/requests?${query}`)
    ).items;
  }

  /** Forgets everything received so far. */
  async reset(): Promise<void> {
    const res = await requestJson('POST', `${this.baseUrl}/stats/reset`);
    if (res.status !== 204)
      throw new Error(`POST /stats/reset answered ${res.status}`);
  }

  private async get<T>(path: string): Promise<T> {
    const res = await requestJson<T>('GET', `${this.baseUrl}${path}`);
    if (res.status !== 200)
      throw new Error(
        `GET ${path} answered ${res.status}: ${JSON.stringify(res.body)}`,
      );
    return res.body;
  }
}
