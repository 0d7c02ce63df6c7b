import {
  createDataSource,
  SilentConnectionError,
} from '@scheduleman/domain/persistence';
import {
  createTestDatabase,
  sleep,
  TcpProxy,
  type TestDatabase,
} from '@scheduleman/testkit';
import type { DataSource } from 'typeorm';

const READ_TIMEOUT_MS = 1_000;

/**
 * The reply watchdog on a real pg pool (createDataSource, as every app builds it) through
 * a TCP proxy: a statement sent into a silent network fails with SilentConnectionError
 * after the read timeout instead of hanging, the dead connection leaves the pool, and a
 * slow statement is cancelled by the server's statement timeout before the watchdog cuts it.
 */
describe('a pooled connection that goes silent', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let dataSource: DataSource;
  const silent: SilentConnectionError[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('silent_pool');
    proxy = await TcpProxy.start(Number(new URL(db.url).port));
    const url = new URL(db.url);
    url.port = String(proxy.port);
    dataSource = createDataSource({
      url: url.toString(),
      applicationName: 'silent-pool-test',
      poolSize: 2,
      statementTimeoutMs: 500,
      readTimeoutMs: READ_TIMEOUT_MS,
      onSilentConnection: (error) => silent.push(error),
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await proxy.close();
    await db.drop();
  });

  it('lets the server cancel a slow statement and keeps the connection', async () => {
    const before = proxy.accepted;
    await expect(dataSource.query('select pg_sleep(2)')).rejects.toThrow(
      'canceling statement due to statement timeout',
    );
    expect(await dataSource.query('select 1 as one')).toEqual([{ one: 1 }]);
    expect(silent).toEqual([]);
    expect(proxy.accepted).toBe(before);
  });

  it('fails a statement sent into the silence after the read timeout, then reconnects', async () => {
    await dataSource.query('select 1');
    proxy.silence();
    const started = performance.now();
    // TypeORM wraps the driver's error (a SilentConnectionError) in a QueryFailedError.
    await expect(dataSource.query('select 2')).rejects.toThrow(
      'database connection silent: no reply for 1000 ms, connection closed',
    );
    const waitedMs = performance.now() - started;
    expect(waitedMs).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 50);
    expect(waitedMs).toBeLessThan(READ_TIMEOUT_MS + 2_000);
    expect(silent).toHaveLength(1);
    expect(silent[0]).toBeInstanceOf(SilentConnectionError);

    proxy.resume();
    // Idle connections that lived through the silence get their reset first.
    await sleep(100);
    // The closed connection was dropped: the next statement gets a fresh one.
    expect(await dataSource.query('select 3 as three')).toEqual([{ three: 3 }]);
  });
});
