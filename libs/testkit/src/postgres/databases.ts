import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

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
  await adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
}
