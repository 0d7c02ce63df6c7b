import { Pool } from 'undici';
import { monotonicMs } from './wait';

/** The part of the API's 201 answer the harness reads. */
export interface CreatedSchedule {
  id: string;
  status: string;
  nextRunAt: string | null;
}

export interface CreationResult<T> {
  created: { schedule: CreatedSchedule; input: T }[];
  failures: string[];
  elapsedMs: number;
  /** Successful creations per second, over the whole batch. */
  perSecond: number;
}

/**
 * Drives schedule-api over keep-alive connections. `createMany` keeps `concurrency`
 * requests in flight (50 by default: the setting the ≥ 3,000 creations/s target is
 * stated for).
 */
export class ApiClient {
  private readonly pool: Pool;

  constructor(readonly baseUrl: string, connections = 50) {
    this.pool = new Pool(baseUrl, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  }

  async createSchedule(body: unknown): Promise<CreatedSchedule> {
    const response = await this.pool.request({
      method: 'POST',
      path: '/schedules',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode !== 201) throw new Error(`POST /schedules answered ${response.statusCode}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as CreatedSchedule;
  }

  async createMany<T>(inputs: readonly T[], toBody: (input: T) => unknown, concurrency = 50): Promise<CreationResult<T>> {
    const created: CreationResult<T>['created'] = [];
    const failures: string[] = [];
    let next = 0;
    const started = monotonicMs();
    const worker = async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        try {
          created.push({ schedule: await this.createSchedule(toBody(input)), input });
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
    const elapsedMs = monotonicMs() - started;
    return { created, failures, elapsedMs, perSecond: created.length / (elapsedMs / 1000) };
  }

  async post(path: string): Promise<number> {
    const response = await this.pool.request({ method: 'POST', path });
    await response.body.dump();
    return response.statusCode;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
