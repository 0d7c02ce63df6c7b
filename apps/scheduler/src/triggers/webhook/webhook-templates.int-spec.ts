import { LOOPBACK_NETWORKS, networkPolicyOf } from '@scheduleman/domain';
import {
  createTestDatabase,
  type TestDatabase,
  waitFor,
} from '@scheduleman/testkit';
import type { DataSource } from 'typeorm';
import {
  createTestEngine,
  insertOneShots,
  RecordingProvider,
} from '../../testing/engine-fixtures';
import { WebhookReceiver } from '../../testing/webhook-receiver';
import { UndiciHttpClient } from './undici.http-client';
import { WebhookTriggerProvider } from './webhook.trigger-provider';

// The whole path of a templated CloudEvents webhook: a schedule row with metadata in
// real PostgreSQL, claimed by a running engine (metadata carried by the claim SQL),
// fired by the real webhook provider over HTTP to a loopback receiver.
describe('templated cloudevents webhook through the claim loop', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const receiver = new WebhookReceiver();
  const client = new UndiciHttpClient({
    maxSockets: 4,
    keepAliveMs: 10_000,
    networkPolicy: networkPolicyOf(LOOPBACK_NETWORKS),
  });
  const webhook = new WebhookTriggerProvider(client);

  beforeAll(async () => {
    db = await createTestDatabase('webhook_templates');
    ds = await db.dataSource();
    await receiver.start();
  });

  afterAll(async () => {
    await client.close();
    await receiver.stop();
    await db.drop();
  });

  it('arrives rendered, with ce-* headers and the data as body', async () => {
    const provider = new RecordingProvider('webhook', (request) =>
      webhook.fire(request, { signal: AbortSignal.timeout(3000) }),
    );
    const [id] = await insertOneShots(ds, 1, () => 100, {
      trigger: {
        type: 'webhook',
        method: 'POST',
        url: receiver.url('/tenants/{{metadata.tenant}}?run={{executionId}}'),
        headers: { 'X-Tenant': '{{metadata.tenant}}' },
        body: { tenant: '{{metadata.tenant}}', attempt: '{{attempt}}' },
        format: 'cloudevents',
      },
    });
    await ds.query(
      `update schedules set metadata = '{"tenant":"acme"}', owner = 'team-a' where id = $1`,
      [id],
    );
    const { engine } = createTestEngine(ds, 'sched-templates', provider);
    engine.start();
    try {
      await waitFor('the webhook arrived', () => receiver.seen.length === 1, {
        timeoutMs: 10_000,
        intervalMs: 25,
      });
    } finally {
      await engine.stop();
    }

    const [call] = provider.calls;
    const rows: { id: string; scheduled_at: Date }[] = await ds.query(
      'select id, scheduled_at from executions where schedule_id = $1',
      [id],
    );
    expect(rows).toHaveLength(1);
    const [execution] = rows;
    expect(call.scheduleMetadata).toEqual({ tenant: 'acme' });
    const [seen] = receiver.seen;
    expect(seen.url).toBe(`/tenants/acme?run=${execution.id}`);
    expect(seen.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': execution.id,
      'ce-source': `//scheduleman/schedules/${id}`,
      'ce-type': 'io.scheduleman.schedule.fired.v1',
      'ce-subject': 'test-1',
      'ce-time': execution.scheduled_at.toISOString(),
      'ce-attempt': '1',
      'content-type': 'application/json',
      'idempotency-key': execution.id,
      'x-tenant': 'acme',
    });
    expect(JSON.parse(seen.body)).toEqual({ tenant: 'acme', attempt: 1 });
  });
});
