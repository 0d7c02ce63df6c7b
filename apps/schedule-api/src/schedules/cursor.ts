import { ValidationError } from '@scheduleman/domain';

/**
 * Opaque keyset cursors. A cursor is the sort key of the last row of a page, encoded as
 * base64url JSON. The timestamp keeps PostgreSQL's microseconds (as UTC text from
 * `to_char`), because `created_at` defaults to `now()` and a JS Date would round it to
 * milliseconds, skipping or repeating rows that share a millisecond.
 */
export interface CursorKey {
  /** UTC timestamp with microseconds, `YYYY-MM-DDTHH:MM:SS.ffffff`. */
  at: string;
  /** Tie-breaker: the row id (absent where the timestamp alone is unique). */
  id?: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_CURSOR_LENGTH = 200;

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(
    JSON.stringify(key.id === undefined ? [key.at] : [key.at, key.id]),
    'utf8',
  ).toString('base64url');
}

/** Decodes a cursor made by encodeCursor; anything else is a 400 naming `cursor`. */
export function decodeCursor(cursor: string, withId: boolean): CursorKey {
  const invalid = () =>
    new ValidationError(
      'cursor',
      'is not a cursor returned by this endpoint (pass nextCursor back unchanged)',
    );
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor))
    throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== (withId ? 2 : 1))
    throw invalid();
  const [at, id] = parsed as unknown[];
  if (
    typeof at !== 'string' ||
    !TIMESTAMP.test(at) ||
    Number.isNaN(Date.parse(`${at}Z`))
  )
    throw invalid();
  if (!withId) return { at };
  if (typeof id !== 'string' || !UUID.test(id)) throw invalid();
  return { at, id };
}

/** Cursor of `GET /schedules?sort=nextRunAt`: the last row's next_run_at (null sorts last) and id. */
export interface NextRunCursorKey {
  /** UTC timestamp with microseconds, or null for a row without a next run. */
  at: string | null;
  id: string;
}

/** Tagged "n", so a cursor of the default order is not taken for one of this order. */
export function encodeNextRunCursor(key: NextRunCursorKey): string {
  return Buffer.from(JSON.stringify(['n', key.at, key.id]), 'utf8').toString(
    'base64url',
  );
}

/** Decodes a cursor made by encodeNextRunCursor; anything else is a 400 naming `cursor`. */
export function decodeNextRunCursor(cursor: string): NextRunCursorKey {
  const invalid = () =>
    new ValidationError(
      'cursor',
      'is not a cursor of this sort order (pass nextCursor back unchanged, with the same sort)',
    );
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor))
    throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [tag, at, id] = parsed as unknown[];
  if (tag !== 'n' || typeof id !== 'string' || !UUID.test(id)) throw invalid();
  if (at === null) return { at: null, id };
  if (
    typeof at !== 'string' ||
    !TIMESTAMP.test(at) ||
    Number.isNaN(Date.parse(`${at}Z`))
  )
    throw invalid();
  return { at, id };
}

/** A page of a keyset list, as every list endpoint answers it. */
export interface KeysetPage<Item> {
  items: Item[];
  nextCursor: string | null;
}

/**
 * The page of a list read with `limit + 1` rows (the extra row only tells that another
 * page follows): the first `limit` rows as items, and the cursor of the last of them when
 * more rows follow (null on the last page).
 */
export function keysetPage<Row, Item>(
  rows: readonly Row[],
  limit: number,
  toItem: (row: Row) => Item,
  keyOf: (row: Row) => CursorKey,
): KeysetPage<Item> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor:
      rows.length > limit && last !== undefined
        ? encodeCursor(keyOf(last))
        : null,
  };
}

/** The keyset of lists sorted by creation (oldest first), ties broken by id. */
export function createdAtKey(row: {
  created_at_key: string;
  id: string;
}): CursorKey {
  return { at: row.created_at_key, id: row.id };
}
