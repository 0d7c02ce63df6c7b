/**
 * One page of a list of owned rows (`/api-keys`, `/connections`, `/signing-secrets`),
 * oldest first, keyset on (created_at, id), optionally of one owner; fetches limit + 1
 * rows (the extra one says whether a next page exists). Each table has an index on
 * (created_at, id) and one on (owner, created_at, id) for the two fixed texts.
 */
export function ownedPageSql(
  table: string,
  columns: string,
  query: {
    owner?: string;
    cursor?: { at: string; id?: string };
    limit: number;
  },
): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  if (query.owner !== undefined)
    where.push(`owner = ${param(query.owner, 'text')}`);
  if (query.cursor !== undefined)
    where.push(
      `(created_at, id) > (${param(query.cursor.at, 'timestamp')} at time zone 'UTC', ${param(query.cursor.id, 'uuid')})`,
    );
  const limit = param(query.limit + 1, 'int');
  return {
    sql: `
select ${columns}
from ${table}${where.length > 0 ? `\nwhere ${where.join('\nand ')}` : ''}
order by created_at, id
limit ${limit}
`,
    params,
  };
}
