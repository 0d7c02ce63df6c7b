import { createHash } from 'node:crypto';
import { EXECUTION_ID_NAMESPACE, executionIdFor } from './execution-id';

const UUID_V5 =
  /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const scheduleId = '0b9f8a52-3c1e-4c84-9d3a-5f0e6c2b7a10';

describe('executionIdFor', () => {
  it('is a version 5 UUID with the RFC 4122 variant', () => {
    expect(
      executionIdFor(scheduleId, new Date('2030-01-01T00:00:00.000Z')),
    ).toMatch(UUID_V5);
  });

  it('is the same every time for the same occurrence, however the instant was built', () => {
    const a = executionIdFor(scheduleId, new Date('2030-01-01T00:00:00.000Z'));
    const b = executionIdFor(
      scheduleId,
      new Date('2030-01-01T01:00:00.000+01:00'),
    );
    const c = executionIdFor(scheduleId, new Date(Date.UTC(2030, 0, 1)));
    expect(new Set([a, b, c]).size).toBe(1);
  });

  it('differs between schedules and between instants a millisecond apart', () => {
    const at = new Date('2030-01-01T00:00:00.000Z');
    const ids = new Set([
      executionIdFor(scheduleId, at),
      executionIdFor('0b9f8a52-3c1e-4c84-9d3a-5f0e6c2b7a11', at),
      executionIdFor(scheduleId, new Date(at.getTime() + 1)),
    ]);
    expect(ids.size).toBe(3);
  });

  it('matches the RFC 4122 name-based algorithm over "scheduleId@ISO instant"', () => {
    const name = `${scheduleId}@2030-01-01T00:00:00.000Z`;
    const hash = createHash('sha1')
      .update(Buffer.from(EXECUTION_ID_NAMESPACE.replace(/-/g, ''), 'hex'))
      .update(name)
      .digest('hex');
    const id = executionIdFor(scheduleId, new Date('2030-01-01T00:00:00.000Z'));
    expect(id.replace(/-/g, '').slice(0, 12)).toBe(hash.slice(0, 12));
    expect(id.replace(/-/g, '').slice(20)).toBe(hash.slice(20, 32));
  });

  it('is pinned to a literal id: changing the namespace or the name format fails here', () => {
    // Receivers de-duplicate on this id across upgrades; it must never change.
    expect(
      executionIdFor(scheduleId, new Date('2030-01-01T00:00:00.000Z')),
    ).toBe('a9222dfd-05fe-52b0-8335-78168b700feb');
  });

  it('refuses an invalid date instead of producing an id for it', () => {
    expect(() => executionIdFor(scheduleId, new Date('nope'))).toThrow(
      RangeError,
    );
  });
});
