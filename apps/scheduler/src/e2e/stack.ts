// This helper is no test file, so Jest's globals are imported (tsconfig.app.json has no jest types).
import { afterAll, beforeAll } from '@jest/globals';
import {
  type CreateScheduleRequest,
  LOOPBACK_NETWORKS,
  type ScheduleResponse,
  type ScheduleSpecInput,
} from '@scheduleman/domain';
import {
  ApiClient,
  type AppName,
  type AppProcess,
  Cluster,
  createTestDatabase,
  PretenderClient,
  type StartOptions,
  TEST_ADMIN_API_KEY,
  TEST_AUTH_ENV,
  TEST_SECRETS_KEY,
  type TestDatabase,
} from '@scheduleman/testkit';
import { Client } from 'pg';

/** A one-second cron: a steady stream of occurrences to count. */
export const EVERY_SECOND: ScheduleSpecInput = {
  type: 'cron',
  expression: '* * * * * *',
};

/** The body of a schedule whose webhook goes to `url`. */
export function webhookSchedule(
  name: string,
  schedule: ScheduleSpecInput,
  url: string,
  extra: Partial<CreateScheduleRequest> = {},
): CreateScheduleRequest {
  return { name, schedule, trigger: { type: 'webhook', url }, ...extra };
}

/**
 * Env for the API and the schedulers: the pretender listens on loopback, which webhooks
 * may not reach unless allowed (docs/security.md).
 */
export const LOOPBACK_ALLOWED = { WEBHOOK_ALLOWED_NETWORKS: LOOPBACK_NETWORKS };

/** The pretender as the e2e tests run it: answering after 10 ms, like a quick real receiver. */
export const PRETENDER: [AppName, StartOptions] = [
  'task-pretender',
  { env: { PRETEND_DELAY_MS: '10' } },
];

/** One scheduler on `databaseUrl`, named by its SCHEDULER_ID, plus any `env`. */
export function schedulerSpec(
  id: string,
  databaseUrl: string,
  env: Record<string, string> = {},
): [AppName, StartOptions] {
  return [
    'scheduler',
    {
      name: id,
      env: {
        ...LOOPBACK_ALLOWED,
        SECRETS_KEY: TEST_SECRETS_KEY,
        ...env,
        DATABASE_URL: databaseUrl,
        SCHEDULER_ID: id,
      },
    },
  ];
}

/** The API on `databaseUrl` as the e2e tests run it: authentication on, loopback webhooks allowed. */
export function apiSpec(
  databaseUrl: string,
  env: Record<string, string> = {},
): [AppName, StartOptions] {
  return [
    'schedule-api',
    {
      env: {
        ...LOOPBACK_ALLOWED,
        ...TEST_AUTH_ENV,
        ...env,
        DATABASE_URL: databaseUrl,
      },
    },
  ];
}

/** The started apps of one test file, as its tests drive them. */
export interface Apps {
  /** The API with the admin key. */
  api: ApiClient;
  pretender: PretenderClient;
  schedulers: AppProcess[];
}

/**
 * Starts the API on `apiDatabaseUrl` (plus `apiEnv`), the pretender and `schedulers` in
 * `cluster`, at once, and waits until every one is ready. Tests that put something
 * between an app and PostgreSQL (a proxy, a pooler, a server they restart) call it with
 * their own URLs; `useStack` calls it for everyone else. The caller closes `api`.
 */
export async function startApps(
  cluster: Cluster,
  apiDatabaseUrl: string,
  schedulers: readonly [AppName, StartOptions][],
  apiEnv: Record<string, string> = {},
): Promise<Apps> {
  const [api, pretender, ...started] = await cluster.startReady(
    apiSpec(apiDatabaseUrl, apiEnv),
    PRETENDER,
    ...schedulers,
  );
  return {
    api: new ApiClient(api.url(), { apiKey: TEST_ADMIN_API_KEY }),
    pretender: new PretenderClient(pretender.url()),
    schedulers: started,
  };
}

/** What a test file may add to the stack `useStack` starts. */
export interface StackOptions {
  /** More environment for every scheduler, e.g. WEBHOOK_SIGNING_SECRETS. */
  schedulerEnv?: Record<string, string>;
  /** More environment for the API and every scheduler, e.g. DATABASE_FEATURES. */
  appEnv?: Record<string, string>;
  /**
   * Runs on the fresh database before any app starts; returns the URL the apps use
   * (e.g. as a role with fewer rights). Default the database's own URL. `stack.sql`
   * always connects with the database's own URL.
   */
  prepareDatabase?: (db: TestDatabase) => Promise<string>;
  /** Runs after the database was dropped (e.g. drops the role prepareDatabase made). */
  afterDrop?: () => Promise<void>;
}

interface Parts extends Apps {
  db: TestDatabase;
  /** A plain connection, for rows the API does not show (leases). */
  sql: Client;
}

/** What a test file of this folder drives; filled in by the beforeAll of `useStack`. */
export class Stack {
  readonly cluster = new Cluster();
  private readonly parts: Partial<Parts> = {};
  private afterDrop: (() => Promise<void>) | undefined;

  get db(): TestDatabase {
    return this.part('db');
  }
  get sql(): Client {
    return this.part('sql');
  }
  get api(): ApiClient {
    return this.part('api');
  }
  get pretender(): PretenderClient {
    return this.part('pretender');
  }
  get schedulers(): AppProcess[] {
    return this.part('schedulers');
  }

  async start(
    databasePrefix: string,
    schedulerIds: readonly string[],
    options: StackOptions = {},
  ) {
    const db = await createTestDatabase(databasePrefix);
    this.parts.db = db;
    this.afterDrop = options.afterDrop;
    const appUrl = options.prepareDatabase
      ? await options.prepareDatabase(db)
      : db.url;
    Object.assign(
      this.parts,
      await startApps(
        this.cluster,
        appUrl,
        schedulerIds.map((id) =>
          schedulerSpec(id, appUrl, {
            ...options.appEnv,
            ...options.schedulerEnv,
          }),
        ),
        options.appEnv,
      ),
    );
    this.parts.sql = await connectSql(db.url);
  }

  /** Whatever was started, in reverse; each part may be missing if start failed half way. */
  async close(): Promise<void> {
    await this.parts.sql?.end();
    await this.parts.api?.close();
    await this.cluster.stopAll();
    await this.parts.db?.drop();
    await this.afterDrop?.();
  }

  /** Creates a schedule whose webhook goes to `path` on the pretender. */
  createHookSchedule(
    name: string,
    schedule: ScheduleSpecInput,
    path: string,
  ): Promise<ScheduleResponse> {
    return this.api.createSchedule(
      webhookSchedule(name, schedule, this.pretender.hookUrl(path)),
    );
  }

  private part<K extends keyof Parts>(key: K): Parts[K] {
    const value = this.parts[key];
    if (value === undefined)
      throw new Error(`the e2e stack has no ${key}: its beforeAll failed`);
    return value;
  }
}

/**
 * Registers the beforeAll and afterAll of a test file that runs the built apps on a
 * fresh database of its own: the API, the pretender and one scheduler per id, all
 * ready before the first test; everything killed and dropped after the last.
 */
export function useStack(
  databasePrefix: string,
  schedulerIds: readonly string[],
  options: StackOptions = {},
): Stack {
  const stack = new Stack();
  beforeAll(
    stack.cluster.withLogs(() =>
      stack.start(databasePrefix, schedulerIds, options),
    ),
    120_000,
  );
  afterAll(() => stack.close(), 30_000);
  return stack;
}

/** A plain pg connection for looking at rows the API does not show (leases). */
export async function connectSql(url: string): Promise<Client> {
  const client = new Client({
    connectionString: url,
    application_name: 'scheduler-e2e',
  });
  await client.connect();
  // A restarted server ends this session; the test reconnects when it needs to.
  client.on('error', () => undefined);
  return client;
}

/** The database's clock, which is the one schedules are due on. */
export async function databaseNow(sql: Client): Promise<Date> {
  const { rows } = await sql.query<{ now: Date }>('select now() as now');
  return rows[0].now;
}
