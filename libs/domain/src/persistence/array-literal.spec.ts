import { arrayLiteral, columnLiteral } from './array-literal';

describe('arrayLiteral', () => {
  it('writes an empty array as {}', () => {
    expect(arrayLiteral([])).toBe('{}');
  });

  it('quotes every string, so the empty string and the word NULL stay strings', () => {
    expect(arrayLiteral(['', 'NULL', 'null', 'abc'])).toBe(
      '{"","NULL","null","abc"}',
    );
  });

  it('escapes quotes and backslashes, and keeps commas, braces, spaces and unicode inside the quotes', () => {
    expect(
      arrayLiteral(['a"b', 'c\\d', '\\"', 'x,y', '{z}', ' sp ', 'é🙂']),
    ).toBe('{"a\\"b","c\\\\d","\\\\\\"","x,y","{z}"," sp ","é🙂"}');
  });

  it('writes null and undefined as NULL', () => {
    expect(arrayLiteral([null, 'a', undefined])).toBe('{NULL,"a",NULL}');
  });

  it('writes dates as ISO 8601 in UTC to the millisecond', () => {
    expect(
      arrayLiteral([new Date(Date.UTC(2026, 11, 4, 1, 2, 3, 45)), null]),
    ).toBe('{"2026-12-04T01:02:03.045Z",NULL}');
  });

  it('writes numbers as JS prints them and booleans as t / f', () => {
    expect(arrayLiteral([0, -7, 1.5, true, false])).toBe('{0,-7,1.5,t,f}');
  });
});

describe('columnLiteral', () => {
  it('writes one picked field of each item', () => {
    const items = [
      { id: 'a', n: 1 },
      { id: 'b"', n: null },
    ];
    expect(columnLiteral(items, (i) => i.id)).toBe('{"a","b\\""}');
    expect(columnLiteral(items, (i) => i.n)).toBe('{1,NULL}');
    expect(columnLiteral([], () => 'x')).toBe('{}');
  });
});
