import {
  type BrokerTriggerSpec,
  type FireRequest,
  generateSigningSecret,
  LOOPBACK_NETWORKS,
  networkPolicyOf,
  parseSigningSecret,
  SystemClock,
} from '@scheduleman/domain';
import { createTestDatabase, type TestDatabase } from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { BrokerFiring } from '../triggers/broker/broker-firing';
import { ConnectionSource } from '../triggers/broker/connection-source';
import { DeliverySigner } from '../triggers/signing/delivery-signer';

/**
 * The real parts a broker provider's integration test fires through: a migrated test
 * database holding `connections` rows (URLs stored plain, as an API without SECRETS_KEY
 * stores them), the ConnectionSource and BrokerFiring the scheduler builds, and an
 * installation signing secret, so each message is signed (Standard Webhooks).
 */
export interface BrokerHarness {
  db: TestDatabase;
  ds: DataSource;
  firing: BrokerFiring;
  /**
   * A BrokerFiring of its own (its own connection cache), as another scheduler process
   * builds it: for tests that play several schedulers.
   */
  newFiring(): BrokerFiring;
  /** The owner of the connections inserted (null: owner-less). */
  owner: string | null;
  /** The loopback networks, as WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8,::1/128 gives them. */
  policy: ReturnType<typeof networkPolicyOf>;
  /** `whsec_…`: what a consumer verifies the messages with. */
  signingSecret: string;
  /** Inserts a connection row of `owner` and returns its id. */
  insertConnection(type: string, url: string): Promise<string>;
  deleteConnection(id: string): Promise<void>;
  close(): Promise<void>;
}

/** How long a connection read stays cached here: short, so a deletion shows at once. */
export const TEST_CONNECTION_CACHE_MS = 50;

export async function createBrokerHarness(
  prefix: string,
  { owner = null }: { owner?: string | null } = {},
): Promise<BrokerHarness> {
  const db = await createTestDatabase(prefix);
  const ds = await db.dataSource();
  const policy = networkPolicyOf(LOOPBACK_NETWORKS);
  const signingSecret = generateSigningSecret();
  const newFiring = () =>
    new BrokerFiring(
      new ConnectionSource(ds, null, policy, undefined, {
        ttlMs: TEST_CONNECTION_CACHE_MS,
      }),
      new DeliverySigner({
        clock: new SystemClock(),
        installationSecrets: [parseSigningSecret(signingSecret)],
      }),
    );
  return {
    db,
    ds,
    firing: newFiring(),
    newFiring,
    owner,
    policy,
    signingSecret,
    async insertConnection(type, url) {
      const id = randomUUID();
      await ds.query(
        `insert into connections (id, owner, name, type, url_sealed, url_masked)
         values ($1, $2, $3, $4, $5, $5)`,
        [id, owner, `${type}-${id.slice(0, 8)}`, type, url],
      );
      return id;
    },
    async deleteConnection(id) {
      await ds.query(`delete from connections where id = $1`, [id]);
    },
    close: () => db.drop(),
  };
}

/** One attempt of an owner-less schedule's occurrence. */
export function brokerFireRequest(
  trigger: BrokerTriggerSpec,
  overrides: Partial<FireRequest> = {},
): FireRequest {
  return {
    executionId: randomUUID(),
    scheduleId: randomUUID(),
    scheduleName: 'broker-test',
    scheduleOwner: null,
    scheduledAt: new Date('2030-01-01T00:00:00.000Z'),
    attempt: 1,
    trigger,
    ...overrides,
  };
}

/** A fresh signal that aborts after `ms` (the FireExecutor's 3 s budget by default). */
export function budgetSignal(ms = 3_000): AbortSignal {
  return AbortSignal.timeout(ms);
}
