import { fmt, fmtMs, markdownTable } from './table';

describe('markdownTable', () => {
  it('pads every column to its widest cell', () => {
    expect(markdownTable(['a', 'long'], [['wide cell', '1']])).toBe(
      [
        '| a         | long |',
        '| --------- | ---- |',
        '| wide cell | 1    |',
      ].join('\n'),
    );
  });
});

describe('fmt and fmtMs', () => {
  it('show a dash for missing values', () => {
    expect(fmt(undefined)).toBe('-');
    expect(fmtMs(undefined)).toBe('-');
  });

  it('switch from milliseconds to seconds at ten seconds', () => {
    expect(fmtMs(9_999)).toBe('9999 ms');
    expect(fmtMs(12_345)).toBe('12.3 s');
  });
});
