import { RecentRequests, type RecordedRequest } from './recent-requests';

function request(n: number, key: string | null = `k${n}`): RecordedRequest {
  return {
    arrivalMs: Date.parse('2030-01-01T00:00:00.000Z') + n,
    method: 'POST',
    path: '/tasks',
    key,
    status: 202,
    latenessMs: n,
    headers: {},
    body: '',
  };
}

describe('RecentRequests', () => {
  it('keeps only the latest entries, newest first', () => {
    const ring = new RecentRequests(3);
    for (let n = 1; n <= 5; n++) ring.add(request(n));

    expect(ring.list(10).map((r) => r.key)).toEqual(['k5', 'k4', 'k3']);
    expect(ring.list(1)[0].arrivedAt).toBe('2030-01-01T00:00:00.005Z');
  });

  it('filters by key and honours the limit', () => {
    const ring = new RecentRequests(10);
    for (const key of ['a', 'b', 'a', 'a']) ring.add(request(1, key));

    expect(ring.list(10, 'a')).toHaveLength(3);
    expect(ring.list(2, 'a')).toHaveLength(2);
    expect(ring.list(10, 'zzz')).toEqual([]);
  });

  it('stores nothing with a capacity of 0, and forgets everything on clear', () => {
    const none = new RecentRequests(0);
    none.add(request(1));
    const some = new RecentRequests(2);
    some.add(request(1));
    some.clear();

    expect(none.list(10)).toEqual([]);
    expect(some.list(10)).toEqual([]);
  });
});
