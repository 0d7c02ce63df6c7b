import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ALWAYS_SECRET_HEADERS,
  errorMessage,
  resealTriggerSecrets,
  SEALED_PREFIX,
  type SecretBox,
  type TriggerSpec,
} from '@scheduleman/domain';
import { isTransientDatabaseError, SECRET_BOX } from '@scheduleman/runtime';
import type { DataSource } from 'typeorm';
import * as sql from './trigger-resealing.sql';

/** Schedules locked, re-sealed and written per transaction: short locks, bounded memory. */
export const RESEAL_BATCH_SIZE = 100;
/** A batch that failed transiently (deadlock, lost connection) is tried this often in all. */
const MAX_BATCH_ATTEMPTS = 3;

export interface ResealSummary {
  /** Schedules whose trigger was rewritten. */
  schedules: number;
  /** Secret header values sealed anew under SECRETS_KEY. */
  values: number;
  /** Values sealed with a key that is neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS: left as they are. */
  unopenable: number;
}

/**
 * Key rotation of secret header values (docs/security.md, "Secrets at rest"). At start,
 * every API walks the webhook schedules whose secret header values are not sealed under
 * SECRETS_KEY (sealed with SECRETS_KEY_PREVIOUS, or stored as given before a key was
 * set) and seals them anew, RESEAL_BATCH_SIZE rows per transaction, then logs one line
 * with the counts: once every API has logged it, SECRETS_KEY_PREVIOUS can go.
 *
 * It runs in the background: the API serves meanwhile (a value under the previous key
 * still opens everywhere), so a large table never holds readiness back. Several APIs
 * starting at once are safe: batches are row-locked and the re-check is idempotent
 * (LOCK_TRIGGERS_TO_RESEAL). A failed run is logged and simply runs again at the next start.
 */
@Injectable()
export class TriggerResealer
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(TriggerResealer.name);
  private running: Promise<ResealSummary | undefined> | undefined;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SECRET_BOX) private readonly box: SecretBox | null,
  ) {}

  onApplicationBootstrap(): void {
    if (this.box === null) return;
    this.running = this.resealAll(this.box).then(
      (summary) => {
        this.logSummary(summary);
        return summary;
      },
      (error: unknown) => {
        this.logger.warn({
          msg: 'resealing secret header values failed; it runs again at the next start',
          error: errorMessage(error),
        });
        return undefined;
      },
    );
  }

  /** The start-up run, for tests and shutdown: resolves with its counts (undefined: none ran, or it failed). */
  whenDone(): Promise<ResealSummary | undefined> {
    return this.running ?? Promise.resolve(undefined);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Walks every schedule once, a batch at a time; stops between batches on shutdown. */
  async resealAll(box: SecretBox): Promise<ResealSummary> {
    const summary: ResealSummary = { schedules: 0, values: 0, unopenable: 0 };
    let after = sql.FIRST_ID;
    while (!this.stopping) {
      const batch = await this.withRetry(() => this.resealBatch(box, after));
      if (batch.last === undefined) break;
      summary.schedules += batch.schedules;
      summary.values += batch.values;
      summary.unopenable += batch.unopenable;
      after = batch.last;
    }
    return summary;
  }

  /** One batch in one transaction, with the last id it looked at (undefined: none was left). */
  private async resealBatch(
    box: SecretBox,
    after: string,
  ): Promise<ResealSummary & { last: string | undefined }> {
    return this.dataSource.transaction('READ COMMITTED', async (tx) => {
      const rows: { id: string; trigger: TriggerSpec }[] = await tx.query(
        sql.LOCK_TRIGGERS_TO_RESEAL,
        [
          after,
          `${SEALED_PREFIX}${box.currentKeyId}.`,
          ALWAYS_SECRET_HEADERS.map((name) => name.toLowerCase()),
          RESEAL_BATCH_SIZE,
        ],
      );
      const ids: string[] = [];
      const triggers: string[] = [];
      let values = 0;
      let unopenable = 0;
      for (const row of rows) {
        const result = resealTriggerSecrets(row.trigger, row.id, box);
        unopenable += result.unopenable;
        if (result.trigger === undefined) continue;
        values += result.resealed;
        ids.push(row.id);
        triggers.push(JSON.stringify(result.trigger));
      }
      if (ids.length > 0)
        await tx.query(sql.STORE_RESEALED_TRIGGERS, [ids, triggers]);
      return {
        last: rows.at(-1)?.id,
        schedules: ids.length,
        values,
        unopenable,
      };
    });
  }

  private async withRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= MAX_BATCH_ATTEMPTS || !isTransientDatabaseError(error))
          throw error;
      }
    }
  }

  private logSummary(summary: ResealSummary): void {
    if (this.stopping) return;
    const keyId = this.box?.currentKeyId;
    this.logger.log({
      msg: 'secret header values resealed under SECRETS_KEY',
      keyId,
      schedules: summary.schedules,
      values: summary.values,
    });
    if (summary.unopenable > 0)
      this.logger.warn({
        msg: 'secret header values sealed with a key that is neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS; their executions fail until that key is given in SECRETS_KEY_PREVIOUS',
        unopenable: summary.unopenable,
      });
  }
}
