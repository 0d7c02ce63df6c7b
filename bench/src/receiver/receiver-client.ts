import { request } from 'undici';
import type { ReceiverCount, ReceiverStats } from './receiver-stats';

/** The harness's side of the receiver process's control paths. */
export class ReceiverClient {
  constructor(readonly baseUrl: string) {}

  /** Where schedules point their webhook. */
  get hookUrl(): string {
    return `${this.baseUrl}/hook`;
  }

  async stats(): Promise<ReceiverStats> {
    return this.get<ReceiverStats>('/__stats');
  }

  async count(): Promise<ReceiverCount> {
    return this.get<ReceiverCount>('/__count');
  }

  async reset(): Promise<void> {
    await this.get('/__reset');
  }

  private async get<T>(path: string): Promise<T> {
    const response = await request(`${this.baseUrl}${path}`, {
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    return (await response.body.json()) as T;
  }
}
