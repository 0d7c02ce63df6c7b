import {
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import type {
  PretenderListResponse,
  PretenderStatsResponse,
  ReceivedKeyResponse,
  ReceivedRequestResponse,
} from '@scheduleman/domain';
import { InvalidRequestError } from '@scheduleman/runtime';
import type { KeyRecord } from '../reception/reception-stats';
import { WebhookReceiver } from '../reception/webhook-receiver';

const MAX_LIST_LIMIT = 10_000;

function parseLimit(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_LIST_LIMIT) {
    throw new InvalidRequestError([
      {
        field: 'limit',
        message: `must be an integer between 1 and ${MAX_LIST_LIMIT}`,
      },
    ]);
  }
  return value;
}

/**
 * What the pretender saw: for tests, the benchmark and curious humans. The shapes are the
 * contract in libs/domain (pretender.contract.ts), which the test kit's client reads.
 */
@Controller('stats')
export class StatsController {
  constructor(private readonly receiver: WebhookReceiver) {}

  /** Totals, duplicates and first-arrival lateness percentiles (ms). */
  @Get()
  summary(): PretenderStatsResponse {
    return { ...this.receiver.stats.snapshot(), work: this.receiver.work() };
  }

  /** The most recently first-seen idempotency keys, newest last. */
  @Get('keys')
  keys(
    @Query('limit') limit?: string,
  ): PretenderListResponse<ReceivedKeyResponse> {
    return {
      items: this.receiver.stats
        .recentKeys(parseLimit(limit, 100))
        .map(([key, record]) => describeKey(key, record)),
    };
  }

  @Get('keys/:key')
  key(@Param('key') key: string): ReceivedKeyResponse {
    const record = this.receiver.stats.get(key);
    if (!record)
      throw new NotFoundException(
        `no webhook with Idempotency-Key ${key} was received (or it was forgotten)`,
      );
    return describeKey(key, record);
  }

  /** The latest webhooks in full (method, path, headers, body), newest first. */
  @Get('requests')
  requests(
    @Query('limit') limit?: string,
    @Query('key') key?: string,
  ): PretenderListResponse<ReceivedRequestResponse> {
    return { items: this.receiver.recent.list(parseLimit(limit, 100), key) };
  }

  @Post('reset')
  @HttpCode(204)
  reset(): void {
    this.receiver.reset();
  }
}

function describeKey(key: string, record: KeyRecord): ReceivedKeyResponse {
  return {
    key,
    count: record.count,
    accepted: record.accepted,
    latenessMs: record.latenessMs,
    firstArrivalAt: new Date(record.firstArrivalMs).toISOString(),
  };
}
