/**
 * One page of a keyset-paged list of owned rows (`/api-keys`, `/connections`,
 * `/signing-secrets`: oldest first on (created_at, id); `/audit-events`: newest first
 * on (at, id)), optionally of one owner and further exact filters; fetches limit + 1
 * rows (the extra one says whether a next page exists). Each list has an index on its
 * keyset and one per filter that leads it, so each filter combination is a fixed text
 * with its own plan.
 */
export function ownedPageSql(
  table: string,
  columns: string,
  query: {
    owner?: string;
    cursor?: { at: string; id?: string };
    limit: number;
    /** More exact filters (column = value), in this order, after the owner's. */
    filters?: { column: string; value: string | undefined; cast: string }[];
  },
  order: { key: string; descending: boolean } = {
    key: 'created_at',
    descending: false,
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
  for (const filter of query.filters ?? [])
    if (filter.value !== undefined)
      where.push(`${filter.column} = ${param(filter.value, filter.cast)}`);
  if (query.cursor !== undefined)
    where.push(
      `(${order.key}, id) ${order.descending ? '<' : '>'} (${param(query.cursor.at, 'timestamp')} at time zone 'UTC', ${param(query.cursor.id, 'uuid')})`,
    );
  const limit = param(query.limit + 1, 'int');
  const direction = order.descending ? ' desc' : '';
  return {
    sql: `
select ${columns}
from ${table}${where.length > 0 ? `\nwhere ${where.join('\nand ')}` : ''}
order by ${order.key}${direction}, id${direction}
limit ${limit}
`,
    params,
  };
}
