import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Clock, PretendedWork } from '@scheduleman/domain';
import { CLOCK } from '@scheduleman/runtime';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  PRETENDER_CONFIG,
  type PretenderConfig,
} from '../config/pretender.config';
import { ReceptionMetrics } from './reception.metrics';
import { ReceptionStats } from './reception-stats';
import { RecentRequests } from './recent-requests';
import {
  RESULT_TOKEN_HEADER,
  RESULT_URL_HEADER,
  ResultReporter,
} from './result-reporter';

/** Injection token of the `() => number` in [0, 1) that draws the configured failure and stall shares. */
export const PRETENDER_RANDOM = Symbol('PRETENDER_RANDOM');

/** Paths served by Nest controllers; everything else is a webhook. */
const RESERVED_PATHS = ['/stats', '/health', '/metrics'];
/** Bodies are kept (for GET /stats/requests) up to this size; the rest is read and dropped. */
const MAX_KEPT_BODY_BYTES = 16 * 1024;

/** How one webhook will be answered, from the config and the request's query overrides. */
export interface Behaviour {
  status: number;
  stallMs: number;
  workMs: number;
}

/** Query overrides, so one test can make one target fail or stall without a restart. */
export const QUERY_OVERRIDES = {
  /** `?fail=1` always answers 500; `?fail=0.3` does so for 30 % of the webhooks. */
  fail: 'fail',
  /** `?status=404` answers that status. */
  status: 'status',
  /** `?stall=5000` answers only after 5000 ms. */
  stall: 'stall',
  /** `?work=2000` pretends to work for 2000 ms after accepting. */
  work: 'work',
} as const;

export class InvalidOverrideError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

function numberParam(
  query: URLSearchParams,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max
  ) {
    throw new InvalidOverrideError(
      name,
      `must be a number between ${min} and ${max} (got ${JSON.stringify(raw)})`,
    );
  }
  return value;
}

/** Pure decision, separate from I/O so it is tested on its own. */
export function decideBehaviour(
  config: PretenderConfig,
  query: URLSearchParams | undefined,
  random: () => number,
): Behaviour {
  const failRate =
    (query && numberParam(query, QUERY_OVERRIDES.fail, 0, 1)) ??
    config.failureRate;
  const status = query && numberParam(query, QUERY_OVERRIDES.status, 100, 599);
  const stall = query && numberParam(query, QUERY_OVERRIDES.stall, 0, 600_000);
  const work = query && numberParam(query, QUERY_OVERRIDES.work, 0, 3_600_000);
  return {
    status:
      status !== undefined
        ? Math.trunc(status)
        : failRate > 0 && random() < failRate
          ? 500
          : config.responseStatus,
    stallMs:
      stall ??
      (config.stallRate > 0 && random() < config.stallRate
        ? config.stallMs
        : 0),
    workMs: work ?? config.pretendDelayMs,
  };
}

/**
 * The hot path: a plain Node handler mounted ahead of Nest's router (see main.ts), so a
 * webhook costs no body parsing, no guards or interceptors, and no log line unless
 * LOG_LEVEL=debug. The scheduler's multi-process tests and `npm start` fire at it (the
 * benchmark has its own receiver, bench/src/receiver). Why it is not a Nest controller:
 * docs/workspace.md, "Hand-written infrastructure".
 */
@Injectable()
export class WebhookReceiver {
  private readonly logger = new Logger('WebhookReceiver');
  readonly recent: RecentRequests;
  readonly stats: ReceptionStats;
  private workInFlight = 0;
  private workCompleted = 0;
  private readonly reporter: ResultReporter;

  constructor(
    @Inject(PRETENDER_CONFIG) private readonly config: PretenderConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: ReceptionMetrics,
    @Inject(PRETENDER_RANDOM) private readonly random: () => number,
  ) {
    this.stats = new ReceptionStats(config, clock.now().getTime());
    this.recent = new RecentRequests(config.recentRequests);
    this.reporter = new ResultReporter({
      attempts: config.resultReportAttempts,
      random,
      logger: this.logger,
    });
  }

  /** Express-style middleware: webhooks are answered here, reserved paths go on to Nest. */
  readonly middleware = (
    req: IncomingMessage,
    res: ServerResponse,
    next: () => void,
  ): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (RESERVED_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) {
      next();
      return;
    }
    this.receive(
      req,
      res,
      path,
      q === -1 ? undefined : new URLSearchParams(url.slice(q + 1)),
    );
  };

  work(): PretendedWork {
    return { inFlight: this.workInFlight, completed: this.workCompleted };
  }

  reset(): void {
    this.stats.reset(this.clock.now().getTime());
    this.recent.clear();
    this.workCompleted = 0;
  }

  private receive(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams | undefined,
  ): void {
    const arrivalMs = this.clock.now().getTime();
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      if (bytes < MAX_KEPT_BODY_BYTES) chunks.push(chunk);
      bytes += chunk.length;
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      let behaviour: Behaviour;
      try {
        behaviour = decideBehaviour(this.config, query, this.random);
      } catch (error) {
        if (!(error instanceof InvalidOverrideError)) throw error;
        reply(res, 400, {
          status: 'invalid',
          field: error.field,
          message: error.message,
        });
        return;
      }
      this.account(
        req,
        path,
        arrivalMs,
        behaviour,
        Buffer.concat(chunks).toString('utf8', 0, MAX_KEPT_BODY_BYTES),
      );
      const answer = () => {
        if (res.destroyed) return; // the caller gave up (e.g. its 3 s timeout)
        reply(
          res,
          behaviour.status,
          behaviour.status < 300
            ? { status: 'accepted' }
            : { status: 'failed', reason: 'pretended failure' },
        );
      };
      if (behaviour.stallMs > 0) setTimeout(answer, behaviour.stallMs).unref();
      else answer();
    });
  }

  private account(
    req: IncomingMessage,
    path: string,
    arrivalMs: number,
    behaviour: Behaviour,
    body: string,
  ): void {
    const keyHeader = req.headers['idempotency-key'];
    const key =
      typeof keyHeader === 'string' && keyHeader !== '' ? keyHeader : undefined;
    const scheduledHeader = req.headers['x-scheduleman-scheduled-at'];
    const scheduledAtMs =
      typeof scheduledHeader === 'string' ? Date.parse(scheduledHeader) : NaN;
    const accepted = behaviour.status >= 200 && behaviour.status < 300;

    const { first, redelivered, latenessMs } = this.stats.record({
      key,
      scheduledAtMs,
      arrivalMs,
      accepted,
    });

    this.metrics.received.inc({ outcome: accepted ? 'accepted' : 'rejected' });
    if (!first) this.metrics.duplicates.inc();
    if (redelivered) this.metrics.redelivered.inc();
    if (first && latenessMs !== null)
      this.metrics.lateness.observe(latenessMs / 1000);

    if (this.config.recentRequests > 0) {
      this.recent.add({
        arrivalMs,
        method: req.method ?? '',
        path,
        key: key ?? null,
        status: behaviour.status,
        latenessMs: Number.isNaN(scheduledAtMs)
          ? null
          : arrivalMs - scheduledAtMs,
        headers: req.headers,
        body,
      });
    }
    if (this.config.logLevel === 'debug') {
      this.logger.debug({
        msg: 'webhook',
        method: req.method,
        path,
        key,
        status: behaviour.status,
        latenessMs,
        duplicate: !first,
      });
    }
    if (accepted) this.pretendToWork(behaviour.workMs, resultTarget(req));
  }

  /**
   * The background "work" of an accepted webhook; when the delivery named where to
   * report its result (and REPORT_RESULTS is on), the result is reported once it ends:
   * `failed` for a RESULT_FAILURE_RATE share, else `succeeded`.
   */
  private pretendToWork(
    ms: number,
    target: { url: string; token: string } | undefined,
  ): void {
    this.workInFlight++;
    this.metrics.workInFlight.inc();
    const startedMs = this.clock.now().getTime();
    setTimeout(() => {
      this.workInFlight--;
      this.workCompleted++;
      this.metrics.workInFlight.dec();
      if (target && this.config.reportResults)
        this.reportResult(target, ms, startedMs);
    }, ms).unref();
  }

  private reportResult(
    target: { url: string; token: string },
    workMs: number,
    startedMs: number,
  ): void {
    const failed =
      this.config.resultFailureRate > 0 &&
      this.random() < this.config.resultFailureRate;
    const output = {
      pretendedMs: workMs,
      startedAt: new Date(startedMs).toISOString(),
    };
    void this.reporter
      .report(
        target.url,
        target.token,
        failed
          ? { status: 'failed', output, error: 'pretended failure' }
          : { status: 'succeeded', output },
      )
      .then((outcome) => this.metrics.resultsReported.inc({ outcome }));
  }
}

/** Where and with which token the delivery asks for its result; undefined when it does not. */
function resultTarget(
  req: IncomingMessage,
): { url: string; token: string } | undefined {
  const url = req.headers[RESULT_URL_HEADER];
  const token = req.headers[RESULT_TOKEN_HEADER];
  if (typeof url !== 'string' || typeof token !== 'string') return undefined;
  if (url === '' || token === '') return undefined;
  return { url, token };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
