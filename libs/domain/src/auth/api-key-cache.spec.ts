import { FakeClock } from '../testing/fake-clock';
import { ApiKeyCache, type CachedApiKey } from './api-key-cache';

const KEY: CachedApiKey = {
  id: 'k1',
  owner: 'team-a',
  scopes: ['schedules:read'],
  expiresAt: null,
};
const OTHER: CachedApiKey = { ...KEY, id: 'k2' };

describe('ApiKeyCache', () => {
  let clock: FakeClock;
  let cache: ApiKeyCache;

  beforeEach(() => {
    clock = new FakeClock();
    cache = new ApiKeyCache(1_000, clock);
  });

  it('serves a remembered key until its TTL has passed, then forgets it', () => {
    cache.remember('h1', KEY, cache.ticket());
    clock.advance(999);
    expect(cache.lookup('h1')).toEqual(KEY);
    clock.advance(1);
    expect(cache.lookup('h1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forgets a revoked key by its id and keeps the others', () => {
    cache.remember('h1', KEY, cache.ticket());
    cache.remember('h2', OTHER, cache.ticket());
    cache.forget('k1');
    expect(cache.lookup('h1')).toBeUndefined();
    expect(cache.lookup('h2')).toEqual(OTHER);
  });

  it('does not put back a key whose lookup started before a revocation', () => {
    const ticket = cache.ticket();
    cache.forget('k1');
    cache.remember('h1', KEY, ticket);
    expect(cache.lookup('h1')).toBeUndefined();
    const afterClear = cache.ticket();
    cache.clear();
    cache.remember('h1', KEY, afterClear);
    expect(cache.lookup('h1')).toBeUndefined();
  });

  it('remembers nothing when the TTL is 0', () => {
    const off = new ApiKeyCache(0, clock);
    off.remember('h1', KEY, off.ticket());
    expect([off.enabled, off.lookup('h1')]).toEqual([false, undefined]);
  });

  it('drops the oldest entry when full', () => {
    const small = new ApiKeyCache(1_000, clock, 2);
    small.remember('h1', KEY, small.ticket());
    small.remember('h2', OTHER, small.ticket());
    small.remember('h3', { ...KEY, id: 'k3' }, small.ticket());
    expect([small.lookup('h1'), small.size]).toEqual([undefined, 2]);
    expect(small.lookup('h3')?.id).toBe('k3');
  });
});
