import type { AuditEntry } from '@scheduleman/domain';
import { ownedPageSql } from '../http/owned-page.sql';

/**
 * The audit log's statements (migration 1733700000000, docs/security.md "Audit log").
 * An event is never written on its own: every statement that changes a schedule, a
 * key, a signing secret or a connection carries its event as a data-modifying CTE
 * (auditEventCte), so the event commits with the change, in the same round trip, and a
 * statement that changes nothing (a refusal, a no-op) records nothing.
 */

/**
 * `audit as (insert into audit_events …)`, one event per row of `from` (a CTE of the
 * statement holding the changed rows, with a `where` when only some of them count).
 * $first..$first+4 are auditEventParams(entry); `row` gives the SQL of the changed
 * row's owner, id and schedule id, read from `from` (or a parameter, when the row
 * holds no owner). `at` takes its default, the transaction's now(); `id` too
 * (gen_random_uuid()) unless `row.id` gives it (a batch's time-ordered ids).
 */
export function auditEventCte(
  from: string,
  first: number,
  row: {
    owner: string;
    resourceId: string;
    scheduleId?: string;
    /** SQL of the details when they differ per row; default the entry's (`$first+4`). */
    details?: string;
    /** SQL of the event's id; default the column's, gen_random_uuid(). */
    id?: string;
  },
): string {
  const p = (n: number) => `$${first + n}`;
  const id =
    row.id === undefined
      ? { column: '', value: '' }
      : { column: 'id, ', value: `${row.id}, ` };
  return `audit as (
insert into audit_events (${id.column}action, actor_key_id, actor_owner, resource_type, details, owner, resource_id, schedule_id)
select ${id.value}${p(0)}::text, ${p(1)}::uuid, ${p(2)}::text, ${p(3)}::text, ${row.details ?? `${p(4)}::jsonb`}, ${row.owner}, ${row.resourceId}, ${row.scheduleId ?? 'null::uuid'}
from ${from}
)`;
}

/** The parameters of auditEventCte, in its order. */
export function auditEventParams(entry: AuditEntry): unknown[] {
  return [
    entry.action,
    entry.actorKeyId,
    entry.actorOwner,
    entry.resourceType,
    JSON.stringify(entry.details),
  ];
}

const AUDIT_EVENT_COLUMNS = `id, at, action, actor_key_id, actor_owner, owner, resource_type, resource_id, schedule_id, details,
to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as at_key`;

/**
 * One page of GET /audit-events, newest first, keyset on (at, id): audit_events_list_idx,
 * audit_events_owner_list_idx with an owner, audit_events_schedule_list_idx with a
 * schedule; `action` filters within those. limit + 1 rows.
 */
export function listAuditEventsSql(query: {
  owner?: string;
  scheduleId?: string;
  action?: string;
  cursor?: { at: string; id?: string };
  limit: number;
}): { sql: string; params: unknown[] } {
  return ownedPageSql(
    'audit_events',
    AUDIT_EVENT_COLUMNS,
    {
      owner: query.owner,
      cursor: query.cursor,
      limit: query.limit,
      filters: [
        { column: 'schedule_id', value: query.scheduleId, cast: 'uuid' },
        { column: 'action', value: query.action, cast: 'text' },
      ],
    },
    { key: 'at', descending: true },
  );
}
