import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../persistence/data-source';
import { runMigrations } from '../persistence/migrate';

/**
 * A fresh database per test file on the server named by TEST_DATABASE_URL (set by
 * `npm test`: an embedded PostgreSQL, or your own server). Migrations run exactly as in
 * production. Call `drop()` in afterAll.
 */
export interface TestDatabase {
  /** Connection URL of the fresh database, to hand to a Nest app or a child process. */
  url: string;
  name: string;
  /** Opens a migrated TypeORM DataSource on the database (closed by drop()). */
  dataSource(): Promise<DataSource>;
  drop(): Promise<void>;
}

export function testServerUrl(): string {
  const url = process.env['TEST_DATABASE_URL'];
  if (!url) {
    throw new Error(
      'TEST_DATABASE_URL is not set: run the tests through `npm test`, which starts an embedded PostgreSQL',
    );
  }
  return url;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createTestDatabase(
  prefix = 'test',
): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const opened: DataSource[] = [];
  return {
    url,
    name,
    async dataSource() {
      const ds = createDataSource({ url, applicationName: `test:${name}` });
      await ds.initialize();
      await runMigrations(ds);
      opened.push(ds);
      return ds;
    },
    async drop() {
      await Promise.all(
        opened.filter((ds) => ds.isInitialized).map((ds) => ds.destroy()),
      );
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
