import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

/** How long a drop waits for the database's sessions to close by themselves, ms. */
const DROP_SETTLE_MS = 2_000;

/** `serverUrl` pointing at another database of the same server. */
export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the server, named `<prefix>_<random>`; returns its URL. */
export async function createDatabase(
  serverUrl: string,
  prefix: string,
): Promise<string> {
  const safe = prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  const name = `${safe}_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `create database ${name}`);
  return withDatabase(serverUrl, name);
}

/** Drops the database `databaseUrl` names, disconnecting its clients. */
export async function dropDatabase(
  serverUrl: string,
  databaseUrl: string,
): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name))
    throw new Error(`not a database made by createDatabase: ${name}`);
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await waitForSessionsToClose(client, name);
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}

/**
 * pg's `Pool.end()` resolves once its clients are told to end, not once their sessions
 * are gone. A forced drop at that moment kills a session that is still closing, and its
 * client, no longer listened to by the pool, raises an unhandled 57P01 error in the test.
 * So let the sessions leave first (bounded), and only force what is left.
 */
async function waitForSessionsToClose(
  client: Client,
  database: string,
): Promise<void> {
  const deadline = performance.now() + DROP_SETTLE_MS;
  while (performance.now() < deadline) {
    const { rows } = await client.query<{ sessions: number }>(
      'select count(*)::int as sessions from pg_stat_activity where datname = $1::text',
      [database],
    );
    if ((rows[0]?.sessions ?? 0) === 0) return;
    await sleep(25);
  }
}
