import { findUnsafeJson, MAX_JSON_DEPTH } from './json-safety';

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

  it('checks query strings too', () => {
    expect(findUnsafeJson({ owner: 'a\u0000' }, '')?.field).toBe('owner');
  });
});
