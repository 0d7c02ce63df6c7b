import {
  createDataSource,
  runMigrations,
} from '@scheduleman/domain/persistence';
import type { DataSource } from 'typeorm';
import { createDatabase, dropDatabase } from './databases';

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

/** The shared test server (TEST_DATABASE_URL); never restarted, so never stopped by a test. */
export function testServerUrl(): string {
  const url = process.env['TEST_DATABASE_URL'];
  if (!url) {
    throw new Error(
      'TEST_DATABASE_URL is not set: run the tests through `npm test`, which starts an embedded PostgreSQL',
    );
  }
  return url;
}

/** A fresh, empty database `<prefix>_<random>` on the test server (see TestDatabase). */
export async function createTestDatabase(
  prefix = 'test',
): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  const url = await createDatabase(serverUrl, prefix);
  const name = new URL(url).pathname.slice(1);
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
      await dropDatabase(serverUrl, url);
    },
  };
}
