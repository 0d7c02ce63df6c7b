/**
 * The statements of the start-up re-sealing (trigger-resealer.ts). Conventions as in
 * schedules.sql.ts.
 */

/** The first id of the keyset walk: every uuid sorts after it. */
export const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/**
 * The next batch after $1 (keyset on the primary key) of webhook schedules with a secret
 * header value not sealed under the current key: its text does not start with $2
 * (`sm1.<key id>.`). That holds for values sealed with a previous key and for values
 * stored as given before SECRETS_KEY was set. Secret: a name in $3 (the always-secret
 * headers, lowercased) or in the trigger's `secretHeaders`, case-insensitively; the
 * caller decides value by value again (resealTriggerSecrets), so this only has to find
 * every candidate. The CASEs keep a malformed row (headers not an object) from failing
 * the walk: SQL does not promise to evaluate an AND left to right.
 *
 * FOR UPDATE, not SKIP LOCKED: a row locked by an edit or a plan transaction is waited
 * for (milliseconds), not missed. Two APIs starting at once take turns on a batch; the
 * second one re-checks the condition on the rows the first rewrote (read committed
 * re-evaluates a locked row's new version) and skips them, so nothing is sealed twice.
 */
export const LOCK_TRIGGERS_TO_RESEAL = `
select s.id, s.trigger
from schedules as s
where s.id > $1::uuid
and s.trigger_type = 'webhook'
and exists (
  select 1
  from jsonb_each(case when jsonb_typeof(s.trigger -> 'headers') = 'object'
    then s.trigger -> 'headers' else '{}'::jsonb end) as h (name, value)
  where jsonb_typeof(h.value) = 'string'
  and not starts_with(h.value #>> '{}', $2::text)
  and (
    lower(h.name) = any ($3::text[])
    or exists (
      select 1
      from jsonb_array_elements_text(case when jsonb_typeof(s.trigger -> 'secretHeaders') = 'array'
        then s.trigger -> 'secretHeaders' else '[]'::jsonb end) as m (name)
      where lower(m.name) = lower(h.name)
    )
  )
)
order by s.id
limit $4::int
for update
`;

/**
 * Stores the re-sealed triggers of one batch, rows locked by LOCK_TRIGGERS_TO_RESEAL in
 * the same transaction. `updated_at` and `version` stay: nothing a user set changed.
 */
export const STORE_RESEALED_TRIGGERS = `
update schedules as s
set trigger = v.trigger::jsonb
from unnest($1::uuid[], $2::text[]) as v (id, trigger)
where s.id = v.id
`;
