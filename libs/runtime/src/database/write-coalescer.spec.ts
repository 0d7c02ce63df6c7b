import { type GroupWrite, WriteCoalescer } from './write-coalescer';

/** A write whose groups are recorded and finished by hand. */
function manualWrite(): {
  write: GroupWrite<number, string>;
  groups: number[][];
  finish: (index: number, fail?: (item: number) => boolean) => Promise<void>;
} {
  const groups: number[][] = [];
  const outcomes: ((fail?: (item: number) => boolean) => void)[] = [];
  const write: GroupWrite<number, string> = (items) => {
    groups.push([...items]);
    return new Promise((resolve) => {
      outcomes.push((fail) =>
        resolve(
          items.map((item) =>
            fail?.(item)
              ? { status: 'rejected', reason: new Error(`refused ${item}`) }
              : { status: 'fulfilled', value: `row ${item}` },
          ),
        ),
      );
    });
  };
  return {
    write,
    groups,
    finish: async (index, fail) => {
      outcomes[index](fail);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('WriteCoalescer', () => {
  it('writes a lone submission at once, as a group of one', async () => {
    const { write, groups, finish } = manualWrite();
    const coalescer = new WriteCoalescer(write, { maxGroup: 100 });
    const answer = coalescer.submit(1);
    expect(groups).toEqual([[1]]);
    await finish(0);
    await expect(answer).resolves.toBe('row 1');
  });

  it('groups what arrives while a write is in flight, in arrival order', async () => {
    const { write, groups, finish } = manualWrite();
    const coalescer = new WriteCoalescer(write, { maxGroup: 100 });
    const answers = [1, 2, 3, 4].map((item) => coalescer.submit(item));
    expect(groups).toEqual([[1]]);
    expect(coalescer.waiting).toBe(3);
    await finish(0);
    expect(groups).toEqual([[1], [2, 3, 4]]);
    await finish(1);
    await expect(Promise.all(answers)).resolves.toEqual([
      'row 1',
      'row 2',
      'row 3',
      'row 4',
    ]);
    expect(coalescer.waiting).toBe(0);
  });

  it('gives each item its own outcome: a refusal fails that item only', async () => {
    const { write, finish } = manualWrite();
    const coalescer = new WriteCoalescer(write, { maxGroup: 100 });
    const answers = Promise.allSettled(
      [1, 2, 3].map((item) => coalescer.submit(item)),
    );
    await finish(0);
    await finish(1, (item) => item === 2);
    const settled = await answers;
    expect(settled.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(
      new Error('refused 2'),
    );
  });

  it('bounds a group by maxGroup and keeps the rest for the next', async () => {
    const { write, groups, finish } = manualWrite();
    const coalescer = new WriteCoalescer(write, { maxGroup: 2 });
    const answers = [1, 2, 3, 4, 5, 6].map((item) => coalescer.submit(item));
    await finish(0);
    await finish(1);
    await finish(2);
    expect(groups).toEqual([[1], [2, 3], [4, 5], [6]]);
    await finish(3);
    await expect(Promise.all(answers)).resolves.toHaveLength(6);
  });

  it('writes up to maxInFlight groups at the same time', async () => {
    const { write, groups, finish } = manualWrite();
    const coalescer = new WriteCoalescer(write, {
      maxGroup: 10,
      maxInFlight: 2,
    });
    const answers = [1, 2, 3, 4].map((item) => coalescer.submit(item));
    expect(groups).toEqual([[1], [2]]);
    await finish(1);
    expect(groups).toEqual([[1], [2], [3, 4]]);
    await finish(0);
    await finish(2);
    await expect(Promise.all(answers)).resolves.toHaveLength(4);
  });

  it('fails every item of a group whose write throws, and goes on with the next', async () => {
    let calls = 0;
    const coalescer = new WriteCoalescer<number, string>(
      (items) => {
        calls++;
        if (calls === 2) throw new Error('connection lost');
        return Promise.resolve(
          items.map((item) => ({
            status: 'fulfilled' as const,
            value: `row ${item}`,
          })),
        );
      },
      { maxGroup: 100 },
    );
    const first = coalescer.submit(1);
    const grouped = [2, 3].map((item) => coalescer.submit(item));
    await expect(first).resolves.toBe('row 1');
    for (const answer of grouped)
      await expect(answer).rejects.toThrow('connection lost');
    await expect(coalescer.submit(4)).resolves.toBe('row 4');
  });

  it('refuses a write that answers fewer results than items', async () => {
    const coalescer = new WriteCoalescer<number, string>(
      () => Promise.resolve([]),
      { maxGroup: 100 },
    );
    await expect(coalescer.submit(1)).rejects.toThrow(
      'the group write returned no result',
    );
  });

  it('refuses a group bound below 1', () => {
    expect(
      () =>
        new WriteCoalescer(() => Promise.resolve([]), {
          maxGroup: 0,
        }),
    ).toThrow(RangeError);
  });
});
