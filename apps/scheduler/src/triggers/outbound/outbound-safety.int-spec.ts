import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  CanaryListener,
  createTestDatabase,
  type TestDatabase,
  waitFor,
} from '@scheduleman/testkit';
import { TEST_SECRETS_KEY } from '@scheduleman/testkit';
import type { DataSource } from 'typeorm';
import { loadSchedulerConfig } from '../../config/scheduler.config';
import { SchedulerModule } from '../../scheduler.module';
import { insertOneShots } from '../../testing/engine-fixtures';

// The scheduler app as main.ts builds it, with WEBHOOK_ALLOWED_NETWORKS unset: loopback
// is forbidden, and the canary on loopback must see no connection. Rows are inserted in
// SQL, as rows written before the rule existed (or by anything but the API) would be.
describe('a scheduler with WEBHOOK_ALLOWED_NETWORKS unset', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let app: INestApplication;
  let canary: CanaryListener;

  beforeAll(async () => {
    db = await createTestDatabase('scheduler_outbound');
    canary = await CanaryListener.start();
    app = await NestFactory.create(
      SchedulerModule.forRoot(
        loadSchedulerConfig({
          DATABASE_URL: db.url,
          SECRETS_KEY: TEST_SECRETS_KEY,
          SCHEDULER_ID: 'outbound-test',
          POLL_INTERVAL_MS: '200',
        }),
      ),
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest declares its options as a class but documents passing a literal
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    ds = await db.dataSource();
  });

  afterAll(async () => {
    await app.close();
    await canary.close();
    await db.drop();
  });

  it('fails a webhook to a name resolving to loopback, or to a stored loopback literal, at connect time', async () => {
    const hosts = ['localhost', '127.0.0.1', '[::1]', '[::ffff:127.0.0.1]'];
    const ids: string[] = [];
    for (const host of hosts) {
      ids.push(
        ...(await insertOneShots(ds, 1, () => 200, {
          maxAttempts: 5,
          trigger: {
            type: 'webhook',
            url: canary.url(host, '/hook'),
            method: 'POST',
            headers: {},
          },
        })),
      );
    }
    await ds.query(`notify scheduleman_wakeup`);

    const rows = await waitFor(
      'every execution to finish',
      async () => {
        const found = await ds.query<
          {
            schedule_id: string;
            status: string;
            attempts: number;
            error: string | null;
            response_status: number | null;
          }[]
        >(
          `select schedule_id, status, attempts, error, response_status
           from executions where status in ('failed', 'succeeded')`,
        );
        return found.length === hosts.length ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );

    expect(rows.map((row) => row.schedule_id).sort()).toEqual([...ids].sort());
    for (const row of rows) {
      // Permanent: one attempt of the five allowed, no retry scheduled.
      expect(row).toEqual({
        schedule_id: row.schedule_id,
        status: 'failed',
        attempts: 1,
        error: expect.stringMatching(/^destination not allowed/) as string,
        response_status: null,
      });
    }
    expect(canary.connections).toBe(0);
  });
});
