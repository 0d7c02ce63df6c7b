import { Client } from 'pg';
import { type AppProcess, requestJson, waitFor } from './harness';

/** The fields of the public contract the tests read (docs/architecture.md). */
export interface ScheduleView {
  id: string;
  name: string | null;
  status: 'active' | 'paused' | 'completed';
  nextRunAt: string | null;
}

export interface ExecutionView {
  id: string;
  scheduleId: string;
  scheduledAt: string;
  firedAt: string | null;
  status: 'pending' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';
  attempts: number;
  schedulerId: string | null;
  responseStatus: number | null;
  error: string | null;
}

/** Drives the built schedule-api over HTTP, exactly as a user would. */
export class ApiClient {
  constructor(private readonly api: AppProcess) {}

  async createSchedule(body: Record<string, unknown>): Promise<ScheduleView> {
    const res = await requestJson<ScheduleView>(
      'POST',
      this.api.url('/schedules'),
      body,
    );
    if (res.status !== 201)
      throw new Error(
        `POST /schedules answered ${res.status}: ${JSON.stringify(res.body)}`,
      );
    return res.body;
  }

  async getSchedule(id: string): Promise<ScheduleView> {
    const res = await requestJson<ScheduleView>(
      'GET',
      this.api.url(`/schedules/${id}`),
    );
    if (res.status !== 200)
      throw new Error(
        `GET /schedules/${id} answered ${res.status}: ${JSON.stringify(res.body)}`,
      );
    return res.body;
  }

  async pauseSchedule(id: string): Promise<ScheduleView> {
    const res = await requestJson<ScheduleView>(
      'POST',
      this.api.url(`/schedules/${id}/pause`),
    );
    if (res.status !== 200 && res.status !== 201)
      throw new Error(
        `POST /schedules/${id}/pause answered ${res.status}: ${JSON.stringify(res.body)}`,
      );
    return res.body;
  }

  /** Pauses, then waits until nothing of the schedule is pending (what was due within 2 s has fired). */
  async pauseAndSettle(
    id: string,
    timeoutMs = 20_000,
  ): Promise<ExecutionView[]> {
    await this.pauseSchedule(id);
    return waitFor(
      `schedule ${id} to have no pending execution after pause`,
      async () => {
        const all = await this.executions(id);
        return all.some((e) => e.status === 'pending') ? false : all;
      },
      { timeoutMs },
    );
  }

  async deleteSchedule(id: string): Promise<void> {
    const res = await requestJson('DELETE', this.api.url(`/schedules/${id}`));
    if (res.status !== 204)
      throw new Error(
        `DELETE /schedules/${id} answered ${res.status}: ${JSON.stringify(res.body)}`,
      );
  }

  /** Every execution of a schedule, following nextCursor. */
  async executions(scheduleId: string): Promise<ExecutionView[]> {
    const items: ExecutionView[] = [];
    let cursor: string | null = null;
    do {
      const query: string =
        cursor === null
          ? 'limit=100'
          : `limit=100&cursor=${encodeURIComponent(cursor)}`;
      const res = await requestJson<{
        items: ExecutionView[];
        nextCursor: string | null;
      }>('GET', this.api.url(`/schedules/${scheduleId}/executions?${query}`));
      if (res.status !== 200)
        throw new Error(
          `GET executions answered ${res.status}: ${JSON.stringify(res.body)}`,
        );
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    return items;
  }
}

export interface PretenderStats {
  received: number;
  unique: number;
  duplicates: number;
  redelivered: number;
  accepted: number;
  rejected: number;
  lateness: {
    count: number;
    p50: number | null;
    p99: number | null;
    max: number | null;
    min: number | null;
  };
}

export interface KeyView {
  key: string;
  count: number;
  accepted: number;
  latenessMs: number | null;
  firstArrivalAt: string;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  key: string | null;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads what the built task-pretender received. */
export class PretenderClient {
  constructor(private readonly pretender: AppProcess) {}

  /** Webhook URL on this pretender; `query` makes it misbehave (`fail=1`, `stall=5000`, …). */
  hookUrl(path = '/tasks', query = ''): string {
    return this.pretender.url(query ? `${path}?${query}` : path);
  }

  async stats(): Promise<PretenderStats> {
    return (
      await requestJson<PretenderStats>('GET', this.pretender.url('/stats'))
    ).body;
  }

  /** Recently first-seen keys (up to 10,000), oldest first. */
  async keys(): Promise<KeyView[]> {
    return (
      await requestJson<{ items: KeyView[] }>(
        'GET',
        this.pretender.url('/stats/keys?limit=10000'),
      )
    ).body.items;
  }

  async key(key: string): Promise<KeyView | undefined> {
    const res = await requestJson<KeyView>(
      'GET',
      this.pretender.url(`/stats/keys/${encodeURIComponent(key)}`),
    );
    return res.status === 200 ? res.body : undefined;
  }

  async requests(key: string): Promise<ReceivedRequest[]> {
    return (
      await requestJson<{ items: ReceivedRequest[] }>(
        'GET',
        this.pretender.url(
          `/stats/requests?limit=1000&key=${encodeURIComponent(key)}`,
        ),
      )
    ).body.items;
  }
}

/** A plain pg connection for looking at rows the API does not show (leases). */
export async function connectSql(url: string): Promise<Client> {
  const client = new Client({
    connectionString: url,
    application_name: 'scheduler-e2e',
  });
  await client.connect();
  // A restarted server ends this session; the test reconnects when it needs to.
  client.on('error', () => undefined);
  return client;
}

/** The database's clock, which is the one schedules are due on. */
export async function databaseNow(sql: Client): Promise<Date> {
  const { rows } = await sql.query<{ now: Date }>('select now() as now');
  return rows[0].now;
}
