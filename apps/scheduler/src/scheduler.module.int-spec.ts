import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import {
  generateSecretsKey,
  LOOPBACK_NETWORKS,
  parseSecretsKey,
  SecretBox,
  sealTriggerSecrets,
  SystemClock,
} from '@scheduleman/domain';
import {
  createTestDatabase,
  type TestDatabase,
  waitFor,
} from '@scheduleman/testkit';
import { TEST_SECRETS_KEY } from '@scheduleman/testkit';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { SchedulerService } from './engine/scheduler.service';
import { insertOneShots } from './testing/engine-fixtures';
import { ClaimsRepository } from './claims/claims.repository';
import {
  loadSchedulerConfig,
  type SchedulerConfig,
} from './config/scheduler.config';
import { HousekeepingService } from './housekeeping/housekeeping.service';
import { ScheduleUpkeepRepository } from './housekeeping/schedule-upkeep.repository';
import { SchedulerMetrics } from './metrics/scheduler.metrics';
import { SchedulerModule } from './scheduler.module';

const WAIT = { timeoutMs: 20_000, intervalMs: 25 };

// The whole scheduler app as main.ts builds it (minus the process): Nest wiring, start-up
// migrations, a real webhook delivery, /health, /metrics, housekeeping, shutdown.
describe('SchedulerModule', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let config: SchedulerConfig;
  let app: INestApplication;
  let base: string;
  let receiver: Server;
  let closed = false;
  const received: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('scheduler_module');
    receiver = createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((resolve) =>
      receiver.listen(0, '127.0.0.1', resolve),
    );
    config = loadSchedulerConfig({
      DATABASE_URL: db.url,
      SECRETS_KEY: TEST_SECRETS_KEY,
      SCHEDULER_ID: 'module-test',
      POLL_INTERVAL_MS: '200',
      // The receiver is on loopback, which is forbidden unless allowed.
      WEBHOOK_ALLOWED_NETWORKS: LOOPBACK_NETWORKS,
    });
    app = await NestFactory.create(
      SchedulerModule.forRoot(config),
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest declares its options as a class but documents passing a literal
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    ds = await db.dataSource();
  });

  afterAll(async () => {
    if (!closed) await app.close();
    await new Promise((resolve) => receiver.close(resolve));
    await db.drop();
  });

  it('is ready once the claim loop has run against the migrated database', async () => {
    await waitFor(
      'ready',
      async () => (await fetch(`${base}/health/ready`)).status === 200,
      WAIT,
    );
    const body = (await (await fetch(`${base}/health`)).json()) as {
      details: Record<string, { status: string }>;
    };
    expect(body.details['database'].status).toBe('up');
    expect(body.details['claimLoop']).toMatchObject({
      status: 'up',
      running: true,
      listening: true,
    });
  });

  it('delivers a webhook with the execution id as Idempotency-Key', async () => {
    const { port } = receiver.address() as AddressInfo;
    await insertOneShots(ds, 1, () => 300, {
      trigger: {
        type: 'webhook',
        url: `http://127.0.0.1:${port}/hook`,
        method: 'POST',
        headers: {},
      },
    });
    await ds.query(`notify scheduleman_wakeup`);
    await waitFor(
      'the execution succeeded',
      async () =>
        (
          await ds.query<unknown[]>(
            `select 1 from executions where status = 'succeeded'`,
          )
        ).length === 1,
      WAIT,
    );
    const [execution]: {
      id: string;
      scheduler_id: string;
      response_status: number;
    }[] = await ds.query(
      'select id, scheduler_id, response_status from executions',
    );
    expect(execution).toMatchObject({
      scheduler_id: 'module-test',
      response_status: 200,
    });
    expect(received.map((h) => h['idempotency-key'])).toEqual([execution.id]);
  });

  it('serves the scheduleman metrics', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      'scheduleman_fire_lateness_seconds_bucket',
      'scheduleman_fires_total{outcome="succeeded"} 1',
      'scheduleman_held_executions',
      'scheduleman_clock_offset_seconds',
      'scheduleman_claim_batch_size_bucket',
      'scheduleman_leases_recovered_total',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('prunes old finished executions', async () => {
    const housekeeping = app.get(HousekeepingService);
    await ds.query(
      `update executions set finished_at = now() - interval '8 days'`,
    );
    expect(await housekeeping.pruneExecutions()).toBe(1);
  });

  it('opens sealed secret header values for the receiver, and fails one that does not open at once', async () => {
    const { port } = receiver.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/secret`;
    /** A one-shot due now whose Authorization is sealed with `box` for its own id, as the API stores it. */
    const insertSealed = async (box: SecretBox, token: string) => {
      const id = randomUUID();
      const trigger = sealTriggerSecrets(
        {
          type: 'webhook',
          url,
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
        },
        { scheduleId: id, box },
      );
      expect(JSON.stringify(trigger)).not.toContain(token);
      await ds.query(
        `insert into schedules (id, schedule_type, schedule, trigger_type, trigger, max_attempts, next_run_at)
select $1::uuid, 'at', jsonb_build_object('type', 'at', 'at', to_char(x.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  'webhook', $2::jsonb, 5, x.at
from (select date_trunc('milliseconds', clock_timestamp()) as at) as x`,
        [id, JSON.stringify(trigger)],
      );
      return id;
    };
    received.length = 0;
    const opens = await insertSealed(
      new SecretBox(parseSecretsKey(TEST_SECRETS_KEY)),
      'opens-with-SECRETS_KEY',
    );
    const foreign = await insertSealed(
      new SecretBox(parseSecretsKey(generateSecretsKey())),
      'sealed-with-an-unknown-key',
    );
    await ds.query(`notify scheduleman_wakeup`);
    const finished = async () =>
      ds.query<
        {
          schedule_id: string;
          status: string;
          attempts: number;
          error: string | null;
        }[]
      >(
        `select schedule_id, status, attempts, error from executions
where schedule_id = any ($1::uuid[]) and status in ('succeeded', 'failed')`,
        [[opens, foreign]],
      );
    await waitFor(
      'both executions finished',
      async () => (await finished()).length === 2,
      WAIT,
    );
    const rows = await finished();
    expect(rows.find((r) => r.schedule_id === opens)).toMatchObject({
      status: 'succeeded',
    });
    const failed = rows.find((r) => r.schedule_id === foreign);
    // Permanent: one attempt of five, no retry of a value that will never open.
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed?.error).toMatch(
      /^cannot open a secret header value: secret header Authorization: a stored secret was sealed with key [0-9a-f]{8}, which is neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS$/,
    );
    expect(received.map((h) => h['authorization'])).toEqual([
      'Bearer opens-with-SECRETS_KEY',
    ]);
  });

  it('stops the scheduler when the app closes', async () => {
    const scheduler = app.get(SchedulerService);
    expect(scheduler.stats().running).toBe(true);
    await app.close();
    closed = true;
    expect(scheduler.stats()).toMatchObject({ running: false, held: 0 });
  });

  it('measures the due backlog, given its repository and clock', async () => {
    // After the app closed, no claim loop plans the overdue schedules away.
    const registry = new Registry();
    const housekeeping = new HousekeepingService(
      config,
      new ClaimsRepository(ds, {
        owner: 'housekeeping-test',
        leaseDurationMs: config.leaseDurationMs,
      }),
      new SystemClock(),
      new SchedulerMetrics(registry),
      new ScheduleUpkeepRepository(ds, 'housekeeping-test'),
    );
    await insertOneShots(ds, 2, () => -60_000);
    await housekeeping.refreshDueBacklog();
    const text = await registry.metrics();
    expect(text).toMatch(/^scheduleman_due_backlog\{kind="schedules"\} 2$/m);
    expect(text).toMatch(/^scheduleman_due_backlog\{kind="executions"\} 0$/m);
    const age = Number(
      /^scheduleman_due_backlog_oldest_age_seconds (\S+)$/m.exec(text)?.[1],
    );
    expect(age).toBeGreaterThan(59);
    expect(age).toBeLessThan(90);
  });
});
