import { Clock, SystemClock } from '@scheduleman/domain';
import { Pool } from 'undici';
import { monotonicMs } from './wait';

/** The part of the API's 201 answer the harness reads. */
export interface CreatedSchedule {
  id: string;
  status: string;
  nextRunAt: string | null;
}

export interface CreationResult<T> {
  /** In completion order; `acceptedAtMs` is when the 201 arrived (epoch ms). */
  created: { schedule: CreatedSchedule; input: T; acceptedAtMs: number }[];
  failures: string[];
  /** 5xx answers and network errors that were retried (a busy database can time out a connect). */
  retried: string[];
  elapsedMs: number;
  /** Successful creations per second, over the whole batch. */
  perSecond: number;
}

const MAX_ATTEMPTS = 3;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Drives schedule-api over keep-alive connections. `createMany` keeps `concurrency`
 * requests in flight (50 by default: the setting the ≥ 3,000 creations/s target is
 * stated for).
 */
export class ApiClient {
  private readonly pool: Pool;

  constructor(
    readonly baseUrl: string,
    connections = 50,
    private readonly clock: Clock = new SystemClock(),
  ) {
    this.pool = new Pool(baseUrl, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
    });
  }

  async createSchedule(body: unknown): Promise<CreatedSchedule> {
    const response = await this.pool.request({
      method: 'POST',
      path: '/schedules',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode !== 201)
      throw new ApiError(
        response.statusCode,
        `POST /schedules answered ${response.statusCode}: ${text.slice(0, 300)}`,
      );
    return JSON.parse(text) as CreatedSchedule;
  }

  /** Sends in input order (at most `concurrency` ahead), so inputs sorted by due time are created in that order. */
  async createMany<T>(
    inputs: readonly T[],
    toBody: (input: T) => unknown,
    concurrency = 50,
  ): Promise<CreationResult<T>> {
    const created: CreationResult<T>['created'] = [];
    const failures: string[] = [];
    const retried: string[] = [];
    let next = 0;
    const started = monotonicMs();
    const worker = async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        for (let attempt = 1; ; attempt++) {
          try {
            const schedule = await this.createSchedule(toBody(input));
            created.push({
              schedule,
              input,
              acceptedAtMs: this.clock.now().getTime(),
            });
            break;
          } catch (error) {
            // A 4xx is our bug and final; a 5xx or a network error is worth a retry, as
            // any client of a production API would do (reported, never hidden).
            const transient =
              !(error instanceof ApiError) || error.status >= 500;
            if (!transient || attempt === MAX_ATTEMPTS) {
              failures.push(String(error));
              break;
            }
            retried.push(String(error));
          }
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(concurrency, inputs.length) }, worker),
    );
    const elapsedMs = monotonicMs() - started;
    return {
      created,
      failures,
      retried,
      elapsedMs,
      perSecond: created.length / (elapsedMs / 1000),
    };
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
