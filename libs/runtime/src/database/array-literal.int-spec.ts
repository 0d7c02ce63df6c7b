import {
  arrayLiteral,
  createDataSource,
} from '@scheduleman/domain/persistence';
import { createTestDatabase, type TestDatabase } from '@scheduleman/testkit';
import type { DataSource } from 'typeorm';

/**
 * arrayLiteral's text read back by PostgreSQL itself, against what node-postgres makes
 * of the same JS array: the two must be the same values for every type the scheduler
 * sends (claims.sql.ts, schedule-upkeep.sql.ts).
 */
describe('arrayLiteral read by PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('array_literal');
    dataSource = createDataSource({
      url: db.url,
      applicationName: 'array-literal-test',
      poolSize: 1,
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  async function both(type: string, values: unknown[]): Promise<unknown[][]> {
    const sql = `select $1::${type}[] as literal, $2::${type}[] as driver`;
    const [row]: { literal: unknown[]; driver: unknown[] }[] =
      await dataSource.query(sql, [arrayLiteral(values as never[]), values]);
    return [row.literal, row.driver];
  }

  it('reads nasty text exactly as the driver sends it', async () => {
    const values = [
      '',
      'NULL',
      null,
      'a"b',
      'back\\slash',
      '\\"',
      'x,y',
      '{z}',
      ' lead and trail ',
      'é 🙂 中文',
      'new\nline\ttab',
    ];
    const [literal, driver] = await both('text', values);
    expect(literal).toEqual(values);
    expect(driver).toEqual(values);
  });

  it('reads uuids, ints, booleans and timestamps (with infinity) as the driver sends them', async () => {
    const uuids = ['0190a3a4-6b5e-7d3c-9a1b-2c3d4e5f6a7b', null];
    expect((await both('uuid', uuids))[0]).toEqual(uuids);
    const ints = [0, -2147483648, 2147483647, null];
    const [intLiteral, intDriver] = await both('int', ints);
    expect(intLiteral).toEqual(intDriver);
    const flags = [true, false, null];
    expect((await both('boolean', flags))[0]).toEqual(flags);
    const times = [
      new Date(Date.UTC(2026, 11, 4, 1, 2, 3, 45)),
      new Date(Date.UTC(1999, 0, 1)),
      null,
    ];
    const [timeLiteral, timeDriver] = await both('timestamptz', times);
    expect(timeLiteral).toEqual(times);
    expect(timeDriver).toEqual(times);
    const [{ due }]: { due: (string | null)[] }[] = await dataSource.query(
      'select $1::timestamptz[]::text[] as due',
      [arrayLiteral(['infinity', null])],
    );
    expect(due).toEqual(['infinity', null]);
  });
});
