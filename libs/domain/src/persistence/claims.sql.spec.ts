import * as statements from './claims.sql';

const entries: [string, string][] = Object.entries(statements);

describe('claims.sql', () => {
  it('exports the statements the scheduler runs', () => {
    expect(entries.map(([name]) => name).sort()).toEqual(
      [
        'ADVANCE_SCHEDULES',
        'ANY_SCHEDULE_DUE',
        'CLAIM_DUE',
        'COMPLETE_FIRES',
        'COUNT_DUE_BACKLOG',
        'EXPIRE_RESULT_DEADLINES',
        'INSERT_PLANNED_EXECUTIONS',
        'PLAN_DUE_SCHEDULES',
        'PLAN_POLICY_STATE',
        'PRUNE_EXECUTIONS',
        'READ_DATABASE_CLOCK',
        'RELEASE_CLAIMS',
        'RENEW_LEASES',
        'SELECT_ACTIVE_SIGNING_SECRETS',
        'SELECT_CONNECTION_FOR_FIRING',
      ].sort(),
    );
  });

  it.each(entries)('%s casts every placeholder explicitly', (_name, sql) => {
    const bare = sql.match(/\$\d+(?!\d|::)/g) ?? [];
    expect(bare).toEqual([]);
  });

  it.each(entries)(
    '%s numbers its placeholders from $1 without gaps',
    (_name, sql) => {
      const used = [
        ...new Set(
          (sql.match(/\$(\d+)/g) ?? []).map((p) => Number(p.slice(1))),
        ),
      ].sort((a, b) => a - b);
      expect(used).toEqual(used.map((_, i) => i + 1));
    },
  );

  it.each(entries)('%s is lowercase and flush-left', (_name, sql) => {
    expect(sql).toBe(sql.toLowerCase());
    expect(sql.split('\n').filter((line) => /^\s/.test(line))).toEqual([]);
  });

  it.each(entries)(
    '%s never decides due-ness on the SQL clock',
    (_name, sql) => {
      // now() may stamp updated_at, but every due/lease comparison uses the $n "now" passed in.
      expect(sql).not.toMatch(/[<>=]\s*now\(\)/);
      expect(sql).not.toMatch(/now\(\)\s*[<>=+-]/);
    },
  );
});
