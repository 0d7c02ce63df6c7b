import type {
  PretenderListResponse,
  PretenderStatsResponse,
  ReceivedKeyResponse,
  ReceivedRequestResponse,
} from '@scheduleman/domain';
import { requestJson } from '../http/request-json';

/** Reads what a running task-pretender received (its contract: pretender.contract.ts in libs/domain). */
export class PretenderClient {
  constructor(readonly baseUrl: string) {}

  /** Webhook URL on this pretender; `query` makes it misbehave (`fail=1`, `stall=5000`, …). */
  hookUrl(path = '/tasks', query = ''): string {
    return `${this.baseUrl}${query ? `${path}?${query}` : path}`;
  }

  async stats(): Promise<PretenderStatsResponse> {
    return this.get<PretenderStatsResponse>('/stats');
  }

  /** Recently first-seen keys (up to 10,000), oldest first. */
  async keys(): Promise<ReceivedKeyResponse[]> {
    const path = '/stats/keys?limit=10000';
    return (await this.get<PretenderListResponse<ReceivedKeyResponse>>(path))
      .items;
  }

  async key(key: string): Promise<ReceivedKeyResponse | undefined> {
    const res = await requestJson<ReceivedKeyResponse>(
      'GET',
      `${this.baseUrl}/stats/keys/${encodeURIComponent(key)}`,
    );
    return res.status === 200 ? res.body : undefined;
  }

  /** The latest webhooks carrying `key`, newest first. */
  async requests(key: string): Promise<ReceivedRequestResponse[]> {
    const path = `/stats/requests?limit=1000&key=${encodeURIComponent(key)}`;
    return (
      await this.get<PretenderListResponse<ReceivedRequestResponse>>(path)
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
