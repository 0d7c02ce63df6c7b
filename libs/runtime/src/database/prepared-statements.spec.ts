import { namedStatements, preparedQuery } from './prepared-statements';

describe('namedStatements', () => {
  it('names each text after its key, under the prefix', () => {
    expect(
      namedStatements('scheduler', {
        CLAIM_DUE: 'select 1',
        RENEW_LEASES: 'select 2',
      }),
    ).toEqual({
      CLAIM_DUE: { name: 'scheduler_claim_due', text: 'select 1' },
      RENEW_LEASES: { name: 'scheduler_renew_leases', text: 'select 2' },
    });
  });
});

describe('preparedQuery', () => {
  const statement = { name: 'double', text: 'select $1::int * 2' };

  it('is the named QueryConfig when prepared, the plain text when not', () => {
    expect(preparedQuery(statement, true)).toEqual({
      name: 'double',
      text: 'select $1::int * 2',
    });
    expect(preparedQuery(statement, false)).toBe('select $1::int * 2');
  });
});
