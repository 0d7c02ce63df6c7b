import {
  type DatabaseEndpoint,
  parseDatabaseUrl,
  PrimaryLocator,
  sessionAcceptable,
} from './database-url';

const CLUSTER =
  'postgres://postgres:s3cret@127.0.0.1:56611,127.0.0.1:56612,127.0.0.1:56613/postgres?target_session_attrs=read-write';

describe('parseDatabaseUrl', () => {
  it('takes a multi-host URL apart into single-host URLs node-postgres reads', () => {
    const url = parseDatabaseUrl(CLUSTER);
    expect(url.endpoints).toEqual([
      { host: '127.0.0.1', port: 56611 },
      { host: '127.0.0.1', port: 56612 },
      { host: '127.0.0.1', port: 56613 },
    ]);
    expect(url.targetSessionAttrs).toBe('read-write');
    expect(url.needsFailover).toBe(true);
    expect(url.urlFor(url.endpoints[1])).toBe(
      'postgres://postgres:s3cret@127.0.0.1:56612/postgres',
    );
  });

  it('keeps the other query parameters and fills in the default port', () => {
    const url = parseDatabaseUrl(
      'postgresql://u@db1,db2:6543/app?sslmode=require&target_session_attrs=primary&application_name=x',
    );
    expect(url.endpoints).toEqual([
      { host: 'db1', port: 5432 },
      { host: 'db2', port: 6543 },
    ]);
    expect(url.targetSessionAttrs).toBe('primary');
    expect(url.urlFor(url.endpoints[0])).toBe(
      'postgres://u@db1:5432/app?sslmode=require&application_name=x',
    );
  });

  it('reads IPv6 hosts in brackets', () => {
    const url = parseDatabaseUrl('postgres://u@[::1]:5433,[fe80::2]/db');
    expect(url.endpoints).toEqual([
      { host: '::1', port: 5433 },
      { host: 'fe80::2', port: 5432 },
    ]);
    expect(url.urlFor(url.endpoints[0])).toBe('postgres://u@[::1]:5433/db');
  });

  it('leaves a plain single-host URL to node-postgres', () => {
    const url = parseDatabaseUrl('postgres://u:p@db:5432/scheduleman');
    expect(url.needsFailover).toBe(false);
    expect(url.targetSessionAttrs).toBe('any');
    expect(url.endpoints).toEqual([{ host: 'db', port: 5432 }]);
  });

  it('leaves a URL without a host (a socket folder) to node-postgres', () => {
    const raw = 'postgres:///x?host=/var/run/postgresql';
    const url = parseDatabaseUrl(raw);
    expect(url).toMatchObject({ needsFailover: false, endpoints: [] });
    expect(url.urlFor({ host: 'ignored', port: 1 })).toBe(raw);
  });

  it('fails over for a single host with read-write, so a standby is refused', () => {
    expect(
      parseDatabaseUrl('postgres://u@db/x?target_session_attrs=read-write')
        .needsFailover,
    ).toBe(true);
  });

  it.each([
    ['mysql://u@db/x', 'must be a URL of the form'],
    ['postgres:///x?target_session_attrs=read-write', 'lists no host'],
    ['postgres://u@a,,b/x', 'empty host'],
    ['postgres://u@a:0/x', 'port that is not a number'],
    ['postgres://u@a:99999/x', 'port that is not a number'],
    ['postgres://u@a:5x/x', 'port that is not a number'],
    ['postgres://u@a b/x', 'not a host name'],
    ['postgres://u@a/x?target_session_attrs=standby', 'target_session_attrs'],
    ['postgres://u@a/x?target_session_attrs=read-only', 'target_session_attrs'],
    ['postgres://u:p@a/x#frag', 'must not contain "#"'],
  ])('refuses %s, saying what is wrong', (raw, message) => {
    expect(() => parseDatabaseUrl(raw)).toThrow(message);
  });

  it('never quotes the URL (it may carry a password)', () => {
    for (const raw of [
      'postgres://u:hunter2@a:0/x',
      'postgres://u:hunter2@a/x?target_session_attrs=standby',
    ]) {
      try {
        parseDatabaseUrl(raw);
      } catch (error) {
        expect(String(error)).not.toContain('hunter2');
      }
    }
  });
});

describe('sessionAcceptable', () => {
  const primary = { inHotStandby: false, defaultReadOnly: false };
  const standby = { inHotStandby: true, defaultReadOnly: true };
  const readOnlyPrimary = { inHotStandby: false, defaultReadOnly: true };

  it('takes any session for any', () => {
    expect(sessionAcceptable('any', standby)).toBe(true);
  });

  it('refuses a standby for read-write and primary', () => {
    expect(sessionAcceptable('read-write', standby)).toBe(false);
    expect(sessionAcceptable('primary', standby)).toBe(false);
  });

  it('refuses a read-only primary for read-write only', () => {
    expect(sessionAcceptable('read-write', readOnlyPrimary)).toBe(false);
    expect(sessionAcceptable('primary', readOnlyPrimary)).toBe(true);
    expect(sessionAcceptable('read-write', primary)).toBe(true);
  });
});

describe('PrimaryLocator', () => {
  const a = { host: 'a', port: 1 };
  const b = { host: 'b', port: 2 };
  const c = { host: 'c', port: 3 };

  function locatorWith(primary: () => DatabaseEndpoint | undefined) {
    const probes: string[] = [];
    const locator = new PrimaryLocator([a, b, c], (endpoint) => {
      probes.push(endpoint.host);
      return Promise.resolve(primary()?.host === endpoint.host);
    });
    return { locator, probes };
  }

  it('probes every host once and remembers the primary', async () => {
    const { locator, probes } = locatorWith(() => b);
    await expect(locator.locate()).resolves.toEqual(b);
    await expect(locator.locate()).resolves.toEqual(b);
    expect(probes.sort()).toEqual(['a', 'b', 'c']);
    expect(locator.current()).toEqual(b);
  });

  it('shares one round of probes between concurrent callers', async () => {
    const { locator, probes } = locatorWith(() => c);
    const found = await Promise.all([locator.locate(), locator.locate()]);
    expect(found).toEqual([c, c]);
    expect(probes).toHaveLength(3);
  });

  it('looks again after the primary failed, and finds the new one', async () => {
    let primary = a;
    const { locator } = locatorWith(() => primary);
    await expect(locator.locate()).resolves.toEqual(a);
    primary = c;
    locator.forget(a);
    await expect(locator.locate()).resolves.toEqual(c);
  });

  it('forgetting another host keeps the known primary', async () => {
    const { locator, probes } = locatorWith(() => a);
    await locator.locate();
    locator.forget(b);
    await locator.locate();
    expect(probes).toHaveLength(3);
  });

  it('rejects with a retryable connection error when every host is down or a standby', async () => {
    const { locator } = locatorWith(() => undefined);
    await expect(locator.locate()).rejects.toMatchObject({ code: '08001' });
    await expect(locator.locate()).rejects.toThrow(
      'no acceptable database host among 3',
    );
  });

  it('probes again after a round that found nothing', async () => {
    let primary: DatabaseEndpoint | undefined = undefined;
    const { locator } = locatorWith(() => primary);
    await expect(locator.locate()).rejects.toThrow();
    primary = b;
    await expect(locator.locate()).resolves.toEqual(b);
  });

  it('does not probe a lone host: it is the one to use', async () => {
    const probe = jest.fn(() => Promise.resolve(false));
    const locator = new PrimaryLocator([a], probe);
    await expect(locator.locate()).resolves.toEqual(a);
    expect(probe).not.toHaveBeenCalled();
  });
});
