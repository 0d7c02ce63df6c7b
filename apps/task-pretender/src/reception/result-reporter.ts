import type { LoggerService } from '@nestjs/common';
import { backoffDelayMs, errorMessage } from '@scheduleman/domain';

/** Headers a delivery carries when its result is expected (the scheduler's PUBLIC_API_URL). */
export const RESULT_URL_HEADER = 'x-scheduleman-result-url';
export const RESULT_TOKEN_HEADER = 'x-scheduleman-result-token';

/** Each report attempt gives up after this long, ms. */
export const REPORT_TIMEOUT_MS = 3_000;
/** Backoff between report attempts: 200 ms, 400 ms, … (jittered), at most 5 s. */
export const REPORT_BACKOFF = { initialMs: 200, maxMs: 5_000 };

/** What the pretender reports: the body of POST /executions/:executionId/result. */
export interface ResultReport {
  status: 'succeeded' | 'failed';
  output?: unknown;
  error?: string;
}

/** How a report ended: the reported status once answered 2xx, `rejected` on a 4xx, `gave_up` after every attempt failed. */
export type ReportOutcome = 'succeeded' | 'failed' | 'rejected' | 'gave_up';

export interface ResultReporterOptions {
  /** Attempts per report (RESULT_REPORT_ATTEMPTS). */
  attempts: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  logger?: LoggerService;
}

/**
 * Reports the result of pretended work to the URL the delivery named, with the token it
 * carried (X-Scheduleman-Result-Token). A network error, a timeout, a 429 or a 5xx is
 * retried with jittered backoff, at most `attempts` times; any other 4xx is final (a
 * 409 means another report won, a 403 a token that does not match). The report is
 * idempotent on the API side, so a retry after a lost answer is harmless.
 */
export class ResultReporter {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ResultReporterOptions) {
    this.fetch = options.fetch ?? fetch;
    this.sleep =
      options.sleep ??
      ((ms) =>
        new Promise((resolve) => {
          setTimeout(resolve, ms).unref();
        }));
  }

  async report(
    url: string,
    token: string,
    report: ResultReport,
  ): Promise<ReportOutcome> {
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      let retry: string;
      try {
        const response = await this.fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [RESULT_TOKEN_HEADER]: token,
          },
          body: JSON.stringify(report),
          signal: AbortSignal.timeout(REPORT_TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (response.ok) return report.status;
        if (response.status !== 429 && response.status < 500) {
          this.options.logger?.warn(
            { msg: 'result report refused', url, status: response.status },
            'ResultReporter',
          );
          return 'rejected';
        }
        retry = `HTTP ${response.status}`;
      } catch (error) {
        retry = errorMessage(error);
      }
      if (attempt < this.options.attempts)
        await this.sleep(
          backoffDelayMs(attempt, REPORT_BACKOFF, this.options.random),
        );
      else
        this.options.logger?.warn(
          { msg: 'result report gave up', url, attempts: attempt, retry },
          'ResultReporter',
        );
    }
    return 'gave_up';
  }
}
