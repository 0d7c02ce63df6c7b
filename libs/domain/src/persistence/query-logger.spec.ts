import { ParameterFreeQueryLogger } from './query-logger';

describe('ParameterFreeQueryLogger', () => {
  it('logs a failed query with its statement and error, never its parameters', () => {
    const lines: string[] = [];
    const logger = new ParameterFreeQueryLogger((line) => lines.push(line));
    logger.logQueryError(
      new Error('duplicate key value violates unique constraint'),
      'insert into api_keys (id, hash)\n  values ($1, $2)',
      ['id-1', 'smk_secretvalue_that_must_not_leak'],
    );
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(line).not.toContain('smk_secretvalue_that_must_not_leak');
    expect(JSON.parse(line)).toEqual({
      level: 'error',
      context: 'TypeORM',
      msg: 'query failed',
      error: 'duplicate key value violates unique constraint',
      query: 'insert into api_keys (id, hash) values ($1, $2)',
      parameterCount: 2,
    });
  });

  it('logs the text of a named prepared statement, which arrives as a QueryConfig', () => {
    const lines: string[] = [];
    const logger = new ParameterFreeQueryLogger((line) => lines.push(line));
    const config = {
      name: 'authenticate_api_key',
      text: 'select 1\nfrom api_keys',
    };
    logger.logQueryError(new Error('boom'), config as unknown as string, [
      'secret',
    ]);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      query: 'select 1 from api_keys',
      parameterCount: 1,
    });
  });

  it('logs nothing else', () => {
    const lines: string[] = [];
    const logger = new ParameterFreeQueryLogger((line) => lines.push(line));
    logger.logQuery();
    logger.logQuerySlow();
    logger.log();
    expect(lines).toEqual([]);
  });
});
