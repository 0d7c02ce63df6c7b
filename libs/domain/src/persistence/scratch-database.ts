import { randomBytes } from 'node:crypto';
import { createDataSource } from './data-source';
import { runMigrations } from './migrate';

/**
 * An empty database on the TEST_DATABASE_URL server, for this folder's own int-specs
 * only. Everything else uses createTestDatabase from @scheduleman/testkit; libs/domain
 * may not import the test kit (a type:domain project depends on type:domain only, and
 * the kit depends on the domain, so that import would also be a cycle).
 */
export interface ScratchDatabase {
  url: string;
  /** Runs the migrations, as every app does at start-up. */
  migrate(): Promise<void>;
  /** Drops the database and closes the connection to the server. */
  drop(): Promise<void>;
}

export async function scratchDatabase(
  prefix: string,
): Promise<ScratchDatabase> {
  const server = process.env['TEST_DATABASE_URL'];
  if (!server) throw new Error('TEST_DATABASE_URL is not set: use `npm test`');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const url = new URL(server);
  url.pathname = `/${name}`;
  const admin = createDataSource({
    url: server,
    applicationName: `scratch:${name}`,
    poolSize: 1,
  });
  await admin.initialize();
  await admin.query(`create database ${name}`);
  return {
    url: url.toString(),
    async migrate() {
      const ds = createDataSource({
        url: url.toString(),
        applicationName: name,
      });
      await ds.initialize();
      try {
        await runMigrations(ds);
      } finally {
        await ds.destroy();
      }
    },
    async drop() {
      // Pool.end() resolves before its sessions are gone; a forced drop then would kill
      // one still closing and its client would raise an unhandled 57P01. Wait (bounded).
      for (let i = 0; i < 80; i++) {
        const rows: { sessions: number }[] = await admin.query(
          'select count(*)::int as sessions from pg_stat_activity where datname = $1::text',
          [name],
        );
        if ((rows[0]?.sessions ?? 0) === 0) break;
        await new Promise((settle) => setTimeout(settle, 25));
      }
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    },
  };
}
