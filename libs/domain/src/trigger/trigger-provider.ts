import type { TriggerSpec } from './trigger-spec';

/** Everything a provider needs to initiate one attempt of one occurrence. */
export interface FireRequest {
  /** Deterministic per occurrence (same on every retry and duplicate): the idempotency key. */
  executionId: string;
  scheduleId: string;
  scheduleName: string | null;
  /**
   * The schedule's owner (null for a schedule without one): whose signing secrets sign
   * a webhook (docs/security.md).
   */
  scheduleOwner: string | null;
  /**
   * The schedule's metadata, for `{{metadata.<field>}}` placeholders (template.ts).
   * Absent or null: every such placeholder renders as missing.
   */
  scheduleMetadata?: Record<string, unknown> | null;
  scheduledAt: Date;
  /** 1 for the first attempt. */
  attempt: number;
  /** The stored trigger; the provider reads its own fields from it. */
  trigger: TriggerSpec;
  /**
   * The token that authorises this execution's result report (result-token.ts), sent
   * as X-Scheduleman-Result-Token and as `resultToken` in the default body. Absent when
   * the scheduler runs without SECRETS_KEY.
   */
  resultToken?: string;
  /** Where to report the result (PUBLIC_API_URL), sent as X-Scheduleman-Result-Url. */
  resultUrl?: string;
}

/*
 * The last instant formatted, and its text: a burst or a cron minute fires thousands of
 * occurrences of one instant, and each names it twice (header and body).
 */
let lastScheduledAtMs = Number.NaN;
let lastScheduledAtText = '';

/** `request.scheduledAt` in ISO 8601 (UTC, milliseconds), as every delivery sends it. */
export function scheduledAtText(
  request: Pick<FireRequest, 'scheduledAt'>,
): string {
  const ms = request.scheduledAt.getTime();
  if (ms !== lastScheduledAtMs) {
    // toISOString first: it throws on an invalid date, which must not be remembered.
    lastScheduledAtText = request.scheduledAt.toISOString();
    lastScheduledAtMs = ms;
  }
  return lastScheduledAtText;
}

/**
 * The result of one attempt. `retryable` failures go through the retry policy;
 * `permanent` ones end the execution as failed at once.
 */
export type FireOutcome =
  | {
      kind: 'delivered';
      responseStatus?: number;
      /** The target's id of what it took (a JetStream `stream:seq`, a stream entry id). */
      ref?: string;
      /** The target had it already (its dedup on the execution id): delivered, not twice. */
      duplicate?: boolean;
    }
  | { kind: 'retryable'; error: string; responseStatus?: number }
  | { kind: 'permanent'; error: string; responseStatus?: number };

/**
 * Initiates work on an external system (webhook, queue, FaaS, workflow engine).
 * Stateless; configured per call from the stored trigger. Expected failures are
 * returned, not thrown. Must honour options.signal (abort = timeout).
 */
export interface TriggerProvider {
  /** The `trigger.type` this provider handles, e.g. 'webhook'. */
  readonly type: string;
  fire(
    request: FireRequest,
    options: { signal: AbortSignal },
  ): Promise<FireOutcome>;
}
