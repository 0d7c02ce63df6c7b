import { ValidationError } from '@scheduleman/domain';
import {
  decodeCursor,
  decodeNextRunCursor,
  encodeCursor,
  encodeNextRunCursor,
} from './cursor';

describe('cursors', () => {
  const key = {
    at: '2030-01-01T00:00:00.123456',
    id: '6f1c3b1e-8a3c-4c1e-9d7e-1f2a3b4c5d6e',
  };

  it('round-trips a key with and without an id', () => {
    expect(decodeCursor(encodeCursor(key), true)).toEqual(key);
    expect(decodeCursor(encodeCursor({ at: key.at }), false)).toEqual({
      at: key.at,
    });
  });

  it('is URL-safe', () => {
    expect(encodeCursor(key)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['garbage', 'not-a-cursor!'],
    [
      'valid base64url but not JSON',
      Buffer.from('hello').toString('base64url'),
    ],
    ['a JSON object', Buffer.from('{"at":"x"}').toString('base64url')],
    [
      'a bad timestamp',
      Buffer.from(
        '["2030-13-45T99:00:00.000000","6f1c3b1e-8a3c-4c1e-9d7e-1f2a3b4c5d6e"]',
      ).toString('base64url'),
    ],
    [
      'a bad id',
      Buffer.from('["2030-01-01T00:00:00.000000","nope"]').toString(
        'base64url',
      ),
    ],
    [
      'the wrong kind (no id where one is needed)',
      encodeCursor({ at: key.at }),
    ],
    ['an enormous string', 'a'.repeat(5000)],
  ])('rejects %s with a ValidationError on cursor', (_what, cursor) => {
    expect(() => decodeCursor(cursor, true)).toThrow(ValidationError);
    try {
      decodeCursor(cursor, true);
    } catch (e) {
      expect((e as ValidationError).field).toBe('cursor');
    }
  });
});

describe('nextRunAt cursors', () => {
  const id = '6f1c3b1e-8a3c-4c1e-9d7e-1f2a3b4c5d6e';

  it('round-trips a dated and a null next run', () => {
    const dated = { at: '2030-01-01T00:00:00.123456', id };
    expect(decodeNextRunCursor(encodeNextRunCursor(dated))).toEqual(dated);
    expect(decodeNextRunCursor(encodeNextRunCursor({ at: null, id }))).toEqual({
      at: null,
      id,
    });
  });

  it.each([
    [
      'a cursor of the default order',
      encodeCursor({ at: '2030-01-01T00:00:00.000000', id }),
    ],
    [
      'a wrong tag',
      Buffer.from(JSON.stringify(['c', null, id])).toString('base64url'),
    ],
    [
      'a bad timestamp',
      Buffer.from(JSON.stringify(['n', '2030-01-01', id])).toString(
        'base64url',
      ),
    ],
    [
      'a bad id',
      Buffer.from(JSON.stringify(['n', null, 'x'])).toString('base64url'),
    ],
    ['garbage', 'not-a-cursor!'],
  ])('rejects %s naming cursor', (_name, cursor) => {
    expect(() => decodeNextRunCursor(cursor)).toThrow(ValidationError);
    expect(() => decodeNextRunCursor(cursor)).toThrow(/^cursor: /);
  });
});
