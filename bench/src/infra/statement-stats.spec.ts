import { CLAIM_DUE } from '@scheduleman/domain/persistence';
import { canonical } from './statement-stats';

describe('canonical', () => {
  it('matches a statement to the text pg_stat_statements records for it', () => {
    // What PostgreSQL records: literals replaced by parameters numbered after the real ones.
    let n = 5;
    const recorded = CLAIM_DUE.replace(
      /'(?:[^']|'')*'|(?<!\$)\b1\b|\bnull(?=::)|\btrue\b/g,
      () => `$${++n}`,
    );
    expect(recorded).not.toBe(CLAIM_DUE);
    expect(canonical(recorded)).toBe(canonical(CLAIM_DUE));
  });

  it('keeps statements that differ in more than literals apart', () => {
    expect(
      canonical("select id from executions where status = 'pending'"),
    ).not.toBe(canonical("select id from schedules where status = 'active'"));
  });
});
