import { evaluate } from './evaluate';
import type { OccurrenceTuple } from '../receiver/receiver-stats';

const at = (s: number) => 1_700_000_000_000 + s * 1000;

function stats(occurrences: OccurrenceTuple[]) {
  return { requests: occurrences.length, malformed: 0, occurrences };
}

describe('evaluate', () => {
  it('counts an expected occurrence that never arrived as missing', () => {
    const e = evaluate(
      { occurrences: new Map([['a', [at(0), at(1)]]]) },
      stats([['a', at(0), at(0) + 5, 1, 1]]),
    );
    expect(e).toMatchObject({
      expected: 2,
      received: 1,
      missing: 1,
      unexpected: 0,
    });
    expect(e.missingSample).toEqual([`a@${new Date(at(1)).toISOString()}`]);
  });

  it('measures lateness from the scheduled time to the first arrival', () => {
    const e = evaluate(
      { occurrences: new Map([['a', [at(0), at(1)]]]) },
      stats([
        ['a', at(0), at(0) + 10, 1, 1],
        ['a', at(1), at(1) + 30, 1, 1],
      ]),
    );
    expect(e.latenessMs).toMatchObject({ min: 10, max: 30 });
    expect(e.outsideBound).toBe(0);
  });

  it('flags arrivals more than ten seconds early or late', () => {
    const e = evaluate(
      { occurrences: new Map([['a', [at(0), at(100)]]]) },
      stats([
        ['a', at(0), at(0) + 10_001, 1, 1],
        ['a', at(100), at(100) - 10_001, 1, 1],
      ]),
    );
    expect(e.outsideBound).toBe(2);
  });

  it('separates harmless duplicates from duplicates under another key', () => {
    const e = evaluate(
      { occurrences: new Map([['a', [at(0), at(1)]]]) },
      stats([
        ['a', at(0), at(0), 3, 1],
        ['a', at(1), at(1), 2, 2],
      ]),
    );
    expect(e.duplicateDeliveries).toBe(3);
    expect(e.duplicatesWithDifferentKeys).toBe(1);
  });

  it('ignores occurrences outside the window and counts the rest as unexpected', () => {
    const e = evaluate(
      {
        occurrences: new Map([['a', [at(10)]]]),
        window: { fromMs: at(10), toMs: at(20) },
      },
      stats([
        ['a', at(5), at(5), 1, 1],
        ['a', at(10), at(10), 1, 1],
        ['a', at(15), at(15), 1, 1],
        ['a', at(25), at(25), 1, 1],
      ]),
    );
    expect(e).toMatchObject({
      expected: 1,
      received: 1,
      missing: 0,
      unexpected: 1,
    });
  });

  it('judges an expected occurrence even when it falls outside the window', () => {
    // A one-shot acknowledged at the end of a chaos run, due just after the window.
    const e = evaluate(
      {
        occurrences: new Map([
          ['a', [at(10)]],
          ['b', [at(21)]],
        ]),
        window: { fromMs: at(10), toMs: at(20) },
      },
      stats([
        ['a', at(10), at(10), 1, 1],
        ['b', at(21), at(21) + 40, 1, 1],
      ]),
    );
    expect(e).toMatchObject({ expected: 2, received: 2, missing: 0 });
    expect(e.latenessMs).toMatchObject({ max: 40 });
  });

  it('counts occurrences of schedules it did not create as foreign', () => {
    const e = evaluate(
      { occurrences: new Map([['a', [at(0)]]]) },
      stats([
        ['a', at(0), at(0), 1, 1],
        ['b', at(0), at(0), 1, 1],
      ]),
    );
    expect(e).toMatchObject({ foreign: 1, missing: 0 });
  });
});
