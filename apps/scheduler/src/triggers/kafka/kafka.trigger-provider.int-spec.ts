import type {
  FireOutcome,
  FireRequest,
  KafkaTriggerSpec,
} from '@scheduleman/domain';
import {
  freePort,
  type KafkaMock,
  readKafkaTopic,
  describeWithKafkaMock,
  startKafkaMock,
} from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  brokerFireRequest,
  type BrokerHarness,
  createBrokerHarness,
} from '../../testing/broker-int-fixtures';
import { BrokerClientPool } from '../broker/broker-client-pool';
import { KafkaClientFactory, type KafkaPublisher } from './kafka-client';
import { KafkaTriggerProvider } from './kafka.trigger-provider';

// The provider against librdkafka's mock cluster (started by Debian's kcat: there is no
// Kafka broker on this machine) and a real PostgreSQL, through the real
// ConnectionSource, BrokerFiring and BrokerClientPool. The records are read back with
// kcat, a second client. What this proves: the protocol, the record's key, value and
// headers, the acks=-1 produce round trip, the failure paths. What it cannot: the mock
// has no real replication, so acks=-1 durability (ISR, min.insync.replicas) rests on
// Kafka's documentation (docs/triggers.md).
const OWNER = 'team-kafka';

describeWithKafkaMock(
  'KafkaTriggerProvider against the librdkafka mock cluster',
  () => {
    let harness: BrokerHarness;
    let mock: KafkaMock;
    const pools: BrokerClientPool<KafkaPublisher>[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);

    beforeAll(async () => {
      mock = await startKafkaMock();
      process.on('unhandledRejection', onUnhandled);
      harness = await createBrokerHarness('kafka_provider', { owner: OWNER });
    }, 180_000); // time for apt-get install kcat, when it is missing
    afterAll(async () => {
      await Promise.all(pools.map((pool) => pool.closeAll()));
      await mock.stop();
      await harness.close();
      process.off('unhandledRejection', onUnhandled);
    });

    const insertConnection = (url: string): Promise<string> =>
      harness.insertConnection('kafka', url);

    function scheduler(): {
      provider: KafkaTriggerProvider;
      pool: BrokerClientPool<KafkaPublisher>;
      closed: () => number;
    } {
      const factory = new KafkaClientFactory({
        schedulerId: 'int-kafka',
        policy: harness.policy,
      });
      let closes = 0;
      const pool = new BrokerClientPool<KafkaPublisher>(
        {
          open: (connection) => factory.open(connection),
          close: async (client) => {
            closes += 1;
            await factory.close(client);
          },
        },
        { policy: harness.policy },
      );
      pools.push(pool);
      return {
        provider: new KafkaTriggerProvider(harness.newFiring(), pool),
        pool,
        closed: () => closes,
      };
    }

    function request(
      connectionId: string,
      topic: string,
      more: Partial<KafkaTriggerSpec> = {},
      attempt = 1,
      executionId = randomUUID(),
    ): FireRequest {
      const trigger: KafkaTriggerSpec = {
        type: 'kafka',
        connectionId,
        topic,
        headers: { 'X-Tenant': 'acme' },
        ...more,
      };
      return brokerFireRequest(trigger, {
        executionId,
        scheduleName: 'nightly',
        scheduleOwner: OWNER,
        attempt,
      });
    }

    const fire = (
      provider: KafkaTriggerProvider,
      req: FireRequest,
    ): Promise<FireOutcome> =>
      provider.fire(req, { signal: AbortSignal.timeout(3_000) });

    const topicName = (what: string) => `scheduleman-${what}-${randomUUID()}`;

    it('produces the contract body, headers under their exact names and key = schedule id (acks=-1), signed', async () => {
      const { provider } = scheduler();
      const connectionId = await insertConnection(`kafka://${mock.bootstrap}`);
      const topic = topicName('contract');
      const req = request(connectionId, topic);
      expect(await fire(provider, req)).toEqual({ kind: 'delivered' });

      const records = await readKafkaTopic(mock.bootstrap, topic);
      expect(records).toHaveLength(1);
      const record = records[0];
      expect(record.key).toBe(req.scheduleId);
      const payload = record.payload ?? '';
      expect(JSON.parse(payload)).toEqual({
        scheduleId: req.scheduleId,
        executionId: req.executionId,
        scheduledAt: '2030-01-01T00:00:00.000Z',
        attempt: 1,
        name: 'nightly',
      });
      const headers = record.headers;
      expect(headers).toMatchObject({
        'Idempotency-Key': req.executionId,
        'X-Scheduleman-Schedule-Id': req.scheduleId,
        'X-Scheduleman-Execution-Id': req.executionId,
        'X-Scheduleman-Scheduled-At': '2030-01-01T00:00:00.000Z',
        'X-Scheduleman-Attempt': '1',
        'webhook-id': req.executionId,
        'X-Tenant': 'acme',
      });
      expect(headers['webhook-signature']).toMatch(/^v1,/);
      expect(
        new Webhook(harness.signingSecret).verify(payload, headers),
      ).toEqual(JSON.parse(payload));
    });

    it("a retry is a second record with the same key and Idempotency-Key, on the same partition (Kafka keeps no dedup across producers); the trigger's key wins", async () => {
      const { provider } = scheduler();
      const connectionId = await insertConnection(`kafka://${mock.bootstrap}`);
      const topic = topicName('retry');
      const first = request(connectionId, topic);
      expect(await fire(provider, first)).toEqual({ kind: 'delivered' });
      expect(await fire(provider, { ...first, attempt: 2 })).toEqual({
        kind: 'delivered',
      });
      expect(
        await fire(provider, request(connectionId, topic, { key: 'tenant-7' })),
      ).toEqual({ kind: 'delivered' });
      const records = await readKafkaTopic(mock.bootstrap, topic);
      expect(records.map((r) => r.key)).toEqual(
        expect.arrayContaining([
          first.scheduleId,
          first.scheduleId,
          'tenant-7',
        ]),
      );
      const retried = records.filter((r) => r.key === first.scheduleId);
      expect(retried.map((r) => r.headers['Idempotency-Key'])).toEqual([
        first.executionId,
        first.executionId,
      ]);
      expect(retried.map((r) => r.headers['X-Scheduleman-Attempt'])).toEqual([
        '1',
        '2',
      ]);
      expect(new Set(retried.map((r) => r.partition)).size).toBe(1);
    });

    it('many fires at one instant share the one producer', async () => {
      const { provider, pool } = scheduler();
      const connectionId = await insertConnection(`kafka://${mock.bootstrap}`);
      const topic = topicName('burst');
      const startedAt = performance.now();
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, () =>
          fire(provider, request(connectionId, topic)),
        ),
      );
      const tookMs = performance.now() - startedAt;
      expect(outcomes.filter((o) => o.kind !== 'delivered')).toEqual([]);
      expect(pool.health()).toMatchObject([{ state: 'up' }]);
      console.log(`200 concurrent Kafka fires: ${tookMs.toFixed(0)} ms`);
      expect(await readKafkaTopic(mock.bootstrap, topic)).toHaveLength(200);
    });

    it('a broker that is unreachable: retryable, fast, no crash', async () => {
      const { provider } = scheduler();
      const port = await freePort();
      const connectionId = await insertConnection(
        `kafka://127.0.0.1:${String(port)}`,
      );
      const startedAt = performance.now();
      const outcome = await fire(provider, request(connectionId, 'jobs'));
      expect(performance.now() - startedAt).toBeLessThan(1_000);
      expect(outcome.kind).toBe('retryable');
      expect('error' in outcome ? outcome.error : '').toContain('ECONNREFUSED');
      const again = await fire(provider, request(connectionId, 'jobs'));
      expect('error' in again ? again.error : '').toContain('is down');
    });

    it('deleting the connection closes its producer; the next fire is permanent', async () => {
      const { provider, pool, closed } = scheduler();
      const connectionId = await insertConnection(`kafka://${mock.bootstrap}`);
      const topic = topicName('deleted');
      expect(await fire(provider, request(connectionId, topic))).toEqual({
        kind: 'delivered',
      });
      await harness.deleteConnection(connectionId);
      await new Promise((resolve) => setTimeout(resolve, 150)); // the cache's ttl
      const outcome = await fire(provider, request(connectionId, topic));
      expect(outcome.kind).toBe('permanent');
      expect('error' in outcome ? outcome.error : '').toContain('not found');
      expect(pool.health()).toEqual([]);
      expect(closed()).toBe(1);
    });

    it('the broker goes away: retryable within the budget, the producer is replaced, no crash', async () => {
      const own = await startKafkaMock();
      const { provider, pool, closed } = scheduler();
      try {
        const connectionId = await insertConnection(`kafka://${own.bootstrap}`);
        const topic = topicName('gone');
        expect(await fire(provider, request(connectionId, topic))).toEqual({
          kind: 'delivered',
        });
        await own.stop();
        const startedAt = performance.now();
        const outcome = await fire(provider, request(connectionId, topic));
        const took = performance.now() - startedAt;
        console.log(
          `kafka broker gone: ${outcome.kind} after ${took.toFixed(0)} ms (${'error' in outcome ? outcome.error : ''})`,
        );
        expect(outcome.kind).toBe('retryable');
        expect(took).toBeLessThan(3_100);
        // A connection error: the producer is closed, the next fire opens a new one.
        expect(outcome).toMatchObject({
          error: expect.stringContaining('KafkaJSConnectionError') as unknown,
        });
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(pool.health()).toMatchObject([{ state: 'down' }]);
        expect(closed()).toBe(1);
      } finally {
        await own.stop();
      }
    });

    it('left no unhandled rejection behind', () => {
      expect(unhandled).toEqual([]);
    });
  },
);
