import { countArrivals, executionIdOf } from './arrivals';

const body = (executionId: string) =>
  JSON.stringify({ scheduleId: 's', executionId, attempt: 1 });

describe('countArrivals', () => {
  it('counts each succeeded execution once when its message arrived once', () => {
    expect(countArrivals([body('a'), body('b')], ['a', 'b'])).toEqual({
      received: 2,
      missing: 0,
      duplicated: 0,
      unexpected: 0,
    });
  });

  it('finds a missing message, a repeated one and a foreign one', () => {
    expect(
      countArrivals(
        [body('a'), body('a'), body('a'), body('x'), 'not json'],
        ['a', 'b'],
      ),
    ).toEqual({ received: 5, missing: 1, duplicated: 1, unexpected: 2 });
  });
});

describe('executionIdOf', () => {
  it('reads the executionId of the default body, nothing from other shapes', () => {
    expect(executionIdOf(body('e-1'))).toBe('e-1');
    expect(executionIdOf('{"executionId":7}')).toBeUndefined();
    expect(executionIdOf('null')).toBeUndefined();
    expect(executionIdOf('{')).toBeUndefined();
  });
});
