import { createDataSource } from '@scheduleman/domain/persistence';
import { createTestDatabase, type TestDatabase } from '@scheduleman/testkit';
import type { DataSource } from 'typeorm';
import { type PreparedStatement, queryPrepared } from './prepared-statements';

const DOUBLE: PreparedStatement = {
  name: 'prepared_statements_test_double',
  text: 'select $1::int * 2 as doubled',
};

/**
 * queryPrepared through TypeORM on a real pool of one connection, so the session that
 * ran the statement is the one whose pg_prepared_statements is read.
 */
describe('queryPrepared', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('prepared_statements');
    dataSource = createDataSource({
      url: db.url,
      applicationName: 'prepared-statements-test',
      poolSize: 1,
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  async function preparedNames(): Promise<string[]> {
    const rows: { name: string }[] = await dataSource.query(
      'select name from pg_prepared_statements order by name',
    );
    return rows.map((row) => row.name);
  }

  it('runs the statement as plain text when prepared statements are off', async () => {
    expect(await queryPrepared(dataSource, DOUBLE, [4], false)).toEqual([
      { doubled: 8 },
    ]);
    expect(await preparedNames()).not.toContain(DOUBLE.name);
  });

  it('prepares the statement once on the connection and reuses it, inside a transaction too', async () => {
    expect(await queryPrepared(dataSource, DOUBLE, [2], true)).toEqual([
      { doubled: 4 },
    ]);
    expect(await preparedNames()).toContain(DOUBLE.name);
    const inTransaction = await dataSource.transaction((tx) =>
      queryPrepared(tx, DOUBLE, [5], true),
    );
    expect(inTransaction).toEqual([{ doubled: 10 }]);
    expect(
      (await preparedNames()).filter((name) => name === DOUBLE.name),
    ).toHaveLength(1);
  });

  it('fails like any other statement and leaves the connection usable', async () => {
    await expect(
      queryPrepared(dataSource, DOUBLE, ['not a number'], true),
    ).rejects.toThrow('invalid input syntax for type integer');
    expect(await queryPrepared(dataSource, DOUBLE, [1], true)).toEqual([
      { doubled: 2 },
    ]);
  });
});
