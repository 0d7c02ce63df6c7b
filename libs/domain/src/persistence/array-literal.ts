/** An element of a one-dimensional PostgreSQL array parameter. */
export type ArrayElement = string | number | boolean | Date | null | undefined;

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

function elementText(value: ArrayElement): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string')
    return NEEDS_ESCAPE.test(value)
      ? `"${value.replace(ESCAPED, '\\$&')}"`
      : `"${value}"`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return `"${value.toISOString()}"`;
}

/**
 * The text of a one-dimensional array parameter (`$n::uuid[]`, `$n::timestamptz[]` …),
 * `{…}`, built in one pass: node-postgres would otherwise walk every element of every
 * array again (prepareValue, escapeElement, and dateToString per Date; ~67 µs per fire
 * for the ~15 arrays of a 500-row outcome batch, docs/performance.md). Strings are
 * always quoted (so `""` is the empty string and `"NULL"` the word, never a null), with
 * `"` and `\` escaped; null and undefined are NULL; dates are ISO 8601 in UTC, exact to
 * the millisecond like pg's own encoding; booleans are `t` / `f`; numbers as JS prints
 * them. The cast in the statement gives the type, as it does for a JS array.
 */
export function arrayLiteral(values: readonly ArrayElement[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ',';
    text += elementText(values[i]);
  }
  return text + '}';
}

/** arrayLiteral of `pick` applied to each item: one column of a batch, without an intermediate array. */
export function columnLiteral<T>(
  items: readonly T[],
  pick: (item: T) => ArrayElement,
): string {
  let text = '{';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) text += ',';
    text += elementText(pick(items[i]));
  }
  return text + '}';
}
