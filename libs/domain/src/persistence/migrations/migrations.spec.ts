import { MIGRATIONS } from './index';

// TypeORM applies migrations by the timestamp in their class name; the list is the
// project's record of that order, and a merge that puts two out of order (or gives two
// the same timestamp) would make the record lie.
describe('MIGRATIONS', () => {
  const timestamps = MIGRATIONS.map((migration) => {
    const match = /(\d{13})$/.exec(migration.name);
    if (!match) throw new Error(`${migration.name} has no 13-digit timestamp`);
    return Number(match[1]);
  });

  it('lists every migration in ascending timestamp order', () => {
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
  });

  it('gives each migration a timestamp of its own', () => {
    expect(new Set(timestamps).size).toBe(timestamps.length);
  });
});
