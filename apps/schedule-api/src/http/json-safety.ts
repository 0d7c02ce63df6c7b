/** Deepest nesting of arrays and objects accepted in a request body. */
export const MAX_JSON_DEPTH = 64;

/**
 * Keys refused anywhere in a body or query string, like any unknown field. `JSON.parse`
 * makes `{"__proto__": …}` an own property, and a later merge, spread or
 * `Object.assign` into a plain object would then set a prototype instead of a field
 * (prototype pollution); `constructor` and `prototype` are the other half of that path.
 * No field of the contract has these names, and neither may metadata or a webhook.
 */
export const FORBIDDEN_JSON_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
];

export interface UnsafeJson {
  /** JSON path of the offending value, e.g. `metadata.tags.3` (`body` for the whole body). */
  field: string;
  message: string;
}

/**
 * Finds what JSON.parse accepts but the rest of the stack cannot store or walk, so it is
 * refused as a 400 instead of surfacing as a 500 from deep inside:
 * - nesting deeper than MAX_JSON_DEPTH: a few kilobytes of `[[[[…]]]]` overflow the stack
 *   of every recursive walk after parsing (class-transformer, PostgreSQL's jsonb input);
 * - U+0000 in a string or key: PostgreSQL text and jsonb cannot hold it;
 * - a lone UTF-16 surrogate (`"\ud800"`): not valid Unicode, refused by jsonb;
 * - a key in FORBIDDEN_JSON_KEYS, at any depth.
 * Iterative on purpose: the input may be the deep structure it is looking for.
 */
export function findUnsafeJson(
  value: unknown,
  root = '',
): UnsafeJson | undefined {
  const stack: [unknown, string, number][] = [[value, root, 0]];
  while (stack.length > 0) {
    const [current, path, depth] = stack.pop() as [unknown, string, number];
    if (typeof current === 'string') {
      const problem = stringProblem(current);
      if (problem) return { field: path || 'body', message: problem };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > MAX_JSON_DEPTH)
      return {
        field: root || 'body',
        message: `is nested deeper than ${MAX_JSON_DEPTH} levels`,
      };
    for (const [key, child] of Object.entries(current)) {
      const childPath = path ? `${path}.${key}` : key;
      if (FORBIDDEN_JSON_KEYS.includes(key))
        return {
          field: childPath,
          message: `is not allowed (${FORBIDDEN_JSON_KEYS.join(', ')} are refused as keys anywhere in a request)`,
        };
      const keyProblem = stringProblem(key);
      if (keyProblem)
        return { field: childPath, message: `has a key that ${keyProblem}` };
      stack.push([child, childPath, depth + 1]);
    }
  }
  return undefined;
}

/** With the `u` flag a proper surrogate pair is one code point, so only lone halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

function stringProblem(text: string): string | undefined {
  if (text.includes('\u0000'))
    return 'contains the character U+0000, which cannot be stored';
  if (LONE_SURROGATE.test(text))
    return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  return undefined;
}
