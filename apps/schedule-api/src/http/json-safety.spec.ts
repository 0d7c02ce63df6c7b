import {
  findUnsafeJson,
  FORBIDDEN_JSON_KEYS,
  MAX_JSON_DEPTH,
} from './json-safety';

describe('findUnsafeJson', () => {
  it('accepts ordinary JSON, including emoji (surrogate pairs)', () => {
    expect(
      findUnsafeJson({
        name: 'réveil ⏰ 🐱',
        tags: ['a', { b: [1, null, true] }],
      }),
    ).toBeUndefined();
  });

  it('refuses nesting deeper than the limit without overflowing the stack', () => {
    const deep = JSON.parse(
      '['.repeat(100_000) + ']'.repeat(100_000),
    ) as unknown;
    expect(findUnsafeJson({ metadata: deep })).toEqual({
      field: 'body',
      message: `is nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
    const justFits = JSON.parse(
      '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH),
    ) as unknown;
    expect(findUnsafeJson(justFits)).toBeUndefined();
  });

  it('names the path of a string holding U+0000', () => {
    expect(findUnsafeJson({ metadata: { tags: ['ok', 'bad\u0000'] } })).toEqual(
      {
        field: 'metadata.tags.1',
        message: 'contains the character U+0000, which cannot be stored',
      },
    );
  });

  it('refuses lone surrogates in values and in keys', () => {
    expect(findUnsafeJson({ name: 'x\ud800y' })?.field).toBe('name');
    expect(findUnsafeJson({ metadata: { ['k\udc00']: 1 } })?.field).toBe(
      'metadata.k\udc00',
    );
  });

  it.each([
    ['{"__proto__": {"admin": true}, "name": "x"}', '__proto__'],
    ['{"metadata": {"constructor": {"prototype": 1}}}', 'metadata.constructor'],
    ['{"metadata": {"a": [1, {"prototype": {}}]}}', 'metadata.a.1.prototype'],
    [
      '{"trigger": {"headers": {"__proto__": "v"}}}',
      'trigger.headers.__proto__',
    ],
    [
      '{"trigger": {"body": [[{"__proto__": null}]]}}',
      'trigger.body.0.0.__proto__',
    ],
  ])('refuses the poison key in %s naming %s', (json, field) => {
    // JSON.parse, as body-parser does: `__proto__` becomes an own property.
    const problem = findUnsafeJson(JSON.parse(json) as unknown);
    expect(problem?.field).toBe(field);
    expect(problem?.message).toContain('is not allowed');
  });

  it('refuses every forbidden key, and allows them as values', () => {
    for (const key of FORBIDDEN_JSON_KEYS)
      expect(findUnsafeJson({ [key]: 1 })?.field).toBe(key);
    expect(
      findUnsafeJson({ metadata: { note: '__proto__', constructor_: 1 } }),
    ).toBeUndefined();
  });

  it('checks query strings too', () => {
    expect(findUnsafeJson({ owner: 'a\u0000' }, '')?.field).toBe('owner');
  });
});
