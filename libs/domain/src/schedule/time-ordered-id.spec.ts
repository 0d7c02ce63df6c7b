import { newTimeOrderedId } from './time-ordered-id';

const UUID_V7 =
  /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The Unix time in ms of a UUIDv7's first 48 bits. */
function msOf(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

describe('newTimeOrderedId', () => {
  it('is a version 7 UUID with the RFC 9562 variant, its time the given instant', () => {
    const at = new Date('2031-05-06T07:08:09.123Z');
    const id = newTimeOrderedId(at);
    expect(id).toMatch(UUID_V7);
    expect(msOf(id)).toBe(at.getTime());
  });

  it('sorts in the order made, within one millisecond and across them, with no repeat', () => {
    const at = new Date('2032-01-01T00:00:00.000Z');
    const ids = [
      ...Array.from({ length: 5_000 }, () => newTimeOrderedId(at)),
      ...Array.from({ length: 10 }, () =>
        newTimeOrderedId(new Date(at.getTime() + 5)),
      ),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });

  it('moves its time on by at most a few ms when one millisecond makes thousands', () => {
    const at = new Date('2033-01-01T00:00:00.000Z');
    const ids = Array.from({ length: 5_000 }, () => newTimeOrderedId(at));
    const last = ids[ids.length - 1];
    expect(msOf(ids[0])).toBe(at.getTime());
    expect(msOf(last) - at.getTime()).toBeGreaterThan(0);
    expect(msOf(last) - at.getTime()).toBeLessThanOrEqual(3);
  });

  it('keeps order when the clock steps back, and differs in its random bits', () => {
    const later = newTimeOrderedId(new Date('2034-01-01T00:00:01.000Z'));
    const earlier = newTimeOrderedId(new Date('2034-01-01T00:00:00.000Z'));
    expect(earlier > later).toBe(true);
    const tails = new Set(
      Array.from({ length: 100 }, () =>
        newTimeOrderedId(new Date('2035-01-01T00:00:00.000Z')).slice(19),
      ),
    );
    expect(tails.size).toBe(100);
  });

  it('refuses an invalid date', () => {
    expect(() => newTimeOrderedId(new Date(Number.NaN))).toThrow(RangeError);
  });
});
