import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first value the probe gives that is not undefined or false', async () => {
    let calls = 0;
    const value = await waitFor(
      'the third call',
      () => {
        calls += 1;
        return calls === 3 ? `call ${calls}` : false;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('call 3');
    expect(calls).toBe(3);
  });

  it('keeps probing through errors and names the last one when it times out', async () => {
    await expect(
      waitFor(
        'a probe that always throws',
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow(
      'timed out after 30 ms waiting for a probe that always throws (last error: not yet)',
    );
  });

  it('accepts 0 and the empty string as values', async () => {
    expect(await waitFor('zero', () => 0)).toBe(0);
    expect(await waitFor('empty', () => '')).toBe('');
  });
});
