import {
  type CalendarResponse,
  type Clock,
  type CreateCalendarRequest,
  type ConnectionResponse,
  type CreateConnectionRequest,
  type CreatedSigningSecretResponse,
  type CreateApiKeyRequest,
  type CreatedApiKeyResponse,
  type CreateScheduleRequest,
  type ExecutionListResponse,
  type ExecutionResponse,
  parseSecretsKey,
  ResultTokens,
  type ScheduleBatchResponse,
  type ScheduleResponse,
  SystemClock,
} from '@scheduleman/domain';
import { type Dispatcher, Pool } from 'undici';
import { parseBody } from '../http/request-json';
import { waitFor } from '../wait-for';

/** An answer with another status than the call expects. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CreationResult<T> {
  /** In completion order; `acceptedAtMs` is when the 201 arrived (epoch ms). */
  created: { schedule: ScheduleResponse; input: T; acceptedAtMs: number }[];
  failures: string[];
  /** 5xx answers and network errors that were retried (a busy database can time out a connect). */
  retried: string[];
  elapsedMs: number;
  /** Successful creations per second, over the whole batch. */
  perSecond: number;
}

export interface ApiClientOptions {
  /** Keep-alive connections to the API. Default 50, as many as `createMany` keeps in flight. */
  connections?: number;
  /** Stamps `acceptedAtMs`; the system clock unless a test injects one. */
  clock?: Clock;
  /** Sent as `Authorization: Bearer <apiKey>` on every call; none when absent (AUTH_DISABLED). */
  apiKey?: string;
}

/**
 * ADMIN_API_KEY of the stacks the tests and the benchmark start (every harness uses
 * this one), at least 32 characters as the API requires.
 */
export const TEST_ADMIN_API_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

/** SECRETS_KEY of the test stacks: the base64 of 32 fixed bytes (tests only, never a real key). */
export const TEST_SECRETS_KEY = Buffer.alloc(32, 's').toString('base64');

/** The result token a scheduler on TEST_SECRETS_KEY gives the delivery of `executionId`. */
export function testResultToken(executionId: string): string {
  return new ResultTokens([parseSecretsKey(TEST_SECRETS_KEY).bytes]).tokenFor(
    executionId,
  );
}

/** Environment that turns authentication on with TEST_ADMIN_API_KEY, and seals secrets with TEST_SECRETS_KEY. */
export const TEST_AUTH_ENV: Readonly<Record<string, string>> = {
  ADMIN_API_KEY: TEST_ADMIN_API_KEY,
  SECRETS_KEY: TEST_SECRETS_KEY,
};

const MAX_ATTEMPTS = 3;
/** A wedged API fails the call instead of hanging it; a busy one gets time to answer. */
const CALL_TIMEOUT_MS = 30_000;

/**
 * Drives a running schedule-api over HTTP, exactly as a user would, on keep-alive
 * connections. `createMany` keeps `concurrency` requests in flight (50 by default: the
 * setting the ≥ 3,000 creations/s target is stated for). Call `close()` when done.
 */
export class ApiClient {
  private readonly pool: Pool;
  private readonly clock: Clock;
  private readonly authorization: Record<string, string>;

  constructor(
    readonly baseUrl: string,
    options: ApiClientOptions = {},
  ) {
    this.pool = new Pool(baseUrl, {
      connections: options.connections ?? 50,
      pipelining: 1,
      keepAliveTimeout: 60_000,
    });
    this.clock = options.clock ?? new SystemClock();
    this.authorization =
      options.apiKey === undefined
        ? {}
        : { authorization: `Bearer ${options.apiKey}` };
  }

  createSchedule(body: CreateScheduleRequest): Promise<ScheduleResponse> {
    return this.call('POST', '/schedules', [201], body);
  }

  /** POST /schedules/batch: all of `schedules` or none (at most MAX_BATCH_SCHEDULES). */
  createScheduleBatch(
    schedules: CreateScheduleRequest[],
  ): Promise<ScheduleBatchResponse> {
    return this.call('POST', '/schedules/batch', [201], { schedules });
  }

  /** POST /connections: a broker connection (this client's key needs connections:write). */
  createConnection(body: CreateConnectionRequest): Promise<ConnectionResponse> {
    return this.call('POST', '/connections', [201], body);
  }

  /** POST /api-keys (this client's key must be an admin's); the answer holds the key, once. */
  createApiKey(body: CreateApiKeyRequest): Promise<CreatedApiKeyResponse> {
    return this.call('POST', '/api-keys', [201], body);
  }

  /** POST /calendars: a named list of exclusions (docs/time.md). */
  createCalendar(body: CreateCalendarRequest): Promise<CalendarResponse> {
    return this.call('POST', '/calendars', [201], body);
  }

  /** POST /schedules/:id/skip-next: marks the next occurrence (skipNextAt). */
  skipNext(id: string): Promise<ScheduleResponse> {
    return this.call('POST', `/schedules/${id}/skip-next`, [200, 201]);
  }

  getSchedule(id: string): Promise<ScheduleResponse> {
    return this.call('GET', `/schedules/${id}`, [200]);
  }

  pauseSchedule(id: string): Promise<ScheduleResponse> {
    return this.call('POST', `/schedules/${id}/pause`, [200, 201]);
  }

  async deleteSchedule(id: string): Promise<void> {
    await this.call('DELETE', `/schedules/${id}`, [204]);
  }

  /** A new signing secret for `owner` (the admin key must name one). */
  /** POST /schedules/:id/trigger (run now): 202 with the pending execution. */
  runNow(id: string): Promise<ExecutionResponse> {
    return this.call('POST', `/schedules/${id}/trigger`, [202]);
  }

  createSigningSecret(owner?: string): Promise<CreatedSigningSecretResponse> {
    return this.call(
      'POST',
      '/signing-secrets',
      [201],
      owner === undefined ? {} : { owner },
    );
  }

  async retireSigningSecret(id: string): Promise<void> {
    await this.call('DELETE', `/signing-secrets/${id}`, [204]);
  }

  /** Every execution of a schedule, following nextCursor. */
  async executions(scheduleId: string): Promise<ExecutionResponse[]> {
    const items: ExecutionResponse[] = [];
    let cursor: string | null = null;
    do {
      const query: string =
        cursor === null
          ? 'limit=100'
          : `limit=100&cursor=${encodeURIComponent(cursor)}`;
      const page: ExecutionListResponse = await this.call(
        'GET',
        `/schedules/${scheduleId}/executions?${query}`,
        [200],
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return items;
  }

  /** Pauses, then waits until nothing of the schedule is pending (what was due within 2 s has fired). */
  async pauseAndSettle(
    id: string,
    timeoutMs = 20_000,
  ): Promise<ExecutionResponse[]> {
    await this.pauseSchedule(id);
    return waitFor(
      `schedule ${id} to have no pending execution after pause`,
      async () => {
        const all = await this.executions(id);
        return all.some((e) => e.status === 'pending') ? false : all;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /**
   * Creates one schedule per input, sent in input order (at most `concurrency` ahead),
   * so inputs sorted by due time are created in that order.
   */
  async createMany<T>(
    inputs: readonly T[],
    toBody: (input: T) => CreateScheduleRequest,
    concurrency = 50,
  ): Promise<CreationResult<T>> {
    const created: CreationResult<T>['created'] = [];
    const failures: string[] = [];
    const retried: string[] = [];
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        for (let attempt = 1; ; attempt++) {
          try {
            const schedule = await this.createSchedule(toBody(input));
            const acceptedAtMs = this.clock.now().getTime();
            created.push({ schedule, input, acceptedAtMs });
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
    const elapsedMs = performance.now() - started;
    const perSecond = created.length / (elapsedMs / 1000);
    return { created, failures, retried, elapsedMs, perSecond };
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async call<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    expected: readonly number[],
    body?: unknown,
  ): Promise<T> {
    const response = await this.pool.request({
      method,
      path,
      headers:
        body === undefined
          ? this.authorization
          : { ...this.authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: CALL_TIMEOUT_MS,
      bodyTimeout: CALL_TIMEOUT_MS,
    });
    const answer = await parseBody<T>(response);
    if (!expected.includes(response.statusCode))
      throw new ApiError(
        response.statusCode,
        `${method} ${path} answered ${response.statusCode}: ${JSON.stringify(answer).slice(0, 300)}`,
      );
    return answer;
  }
}
