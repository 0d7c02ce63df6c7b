import {
  createDataSource,
  createLocksTable,
  MIGRATIONS,
  runMigrations,
} from '@scheduleman/domain/persistence';
import { createTestDatabase, type TestDatabase } from '@scheduleman/testkit';

describe('runMigrations', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('migrate');
  });

  afterAll(async () => {
    await db.drop();
  });

  it('applies every migration once when five processes start at the same moment', async () => {
    const sources = Array.from({ length: 5 }, (_, i) =>
      createDataSource({ url: db.url, applicationName: `migrator-${i}` }),
    );
    await Promise.all(sources.map((s) => s.initialize()));
    try {
      const applied = await Promise.all(sources.map((s) => runMigrations(s)));
      // Each migration applied exactly once, by one of the five, in order.
      expect(applied.flat()).toEqual(MIGRATIONS.map((m) => new m().name));
      const tables = await sources[0].query<{ table_name: string }[]>(
        `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining([
          'api_keys',
          'executions',
          'migrations',
          'schedules',
        ]),
      );
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
    }
  });

  it('applies every migration once under the portable row lock, five at once', async () => {
    const portable = await createTestDatabase('migrate_portable');
    const sources = Array.from({ length: 5 }, (_, i) =>
      createDataSource({ url: portable.url, applicationName: `portable-${i}` }),
    );
    await Promise.all(sources.map((s) => s.initialize()));
    try {
      const applied = await Promise.all(
        sources.map((s) => runMigrations(s, 'portable')),
      );
      expect(applied.flat()).toEqual(MIGRATIONS.map((m) => new m().name));
      // The lock is a row, left behind unlocked once the migrations are done.
      expect(
        await sources[0].query(`select name from scheduleman_locks`),
      ).toEqual([{ name: 'migrations' }]);
      // A later start finds nothing to do and is not blocked by the row.
      expect(await runMigrations(sources[1], 'portable')).toEqual([]);
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
      await portable.drop();
    }
  });

  it('survives five processes creating the lock table at once, round after round', async () => {
    // The catalog race behind "type scheduleman_locks already exists" (CI, 4 December)
    // falls differently from round to round; forty rounds make a loser near-certain.
    const race = await createTestDatabase('migrate_locks_race');
    const sources = Array.from({ length: 5 }, (_, i) =>
      createDataSource({ url: race.url, applicationName: `locks-${i}` }),
    );
    await Promise.all(sources.map((s) => s.initialize()));
    const runners = sources.map((s) => s.createQueryRunner());
    try {
      for (let round = 0; round < 40; round++) {
        await runners[0].query('drop table if exists scheduleman_locks');
        await Promise.all(runners.map((r) => createLocksTable(r)));
      }
      expect(
        await runners[0].query(
          `select to_regclass('scheduleman_locks') is not null as present`,
        ),
      ).toEqual([{ present: true }]);
    } finally {
      await Promise.all(runners.map((r) => r.release()));
      await Promise.all(sources.map((s) => s.destroy()));
      await race.drop();
    }
  });
});
