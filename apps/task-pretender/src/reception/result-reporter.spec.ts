import { ResultReporter } from './result-reporter';

/** A fetch that answers the given statuses in turn (a thrown Error for 'reset'). */
function scriptedFetch(answers: (number | 'reset')[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fake: typeof fetch = (url, init) => {
    calls.push({
      url: url instanceof Request ? url.url : url.toString(),
      init: init ?? {},
    });
    const next = answers.shift();
    if (next === undefined || next === 'reset')
      return Promise.reject(new Error('socket hang up'));
    return Promise.resolve(new Response(null, { status: next }));
  };
  return { calls, fetch: fake };
}

describe('ResultReporter', () => {
  const sleeps: number[] = [];
  const sleep = (ms: number) => {
    sleeps.push(ms);
    return Promise.resolve();
  };
  beforeEach(() => {
    sleeps.length = 0;
  });

  it('posts the report with the token header and returns its status once answered 2xx', async () => {
    const { calls, fetch } = scriptedFetch([200]);
    const reporter = new ResultReporter({ attempts: 3, fetch, sleep });

    await expect(
      reporter.report('http://127.0.0.1:1/executions/e1/result', 'rt1_x', {
        status: 'succeeded',
        output: { rows: 3 },
      }),
    ).resolves.toBe('succeeded');
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('http://127.0.0.1:1/executions/e1/result');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.headers).toMatchObject({
      'x-scheduleman-result-token': 'rt1_x',
      'content-type': 'application/json',
    });
    expect(JSON.parse(calls[0].init.body as string)).toEqual({
      status: 'succeeded',
      output: { rows: 3 },
    });
  });

  it('retries network errors, 429 and 5xx with growing backoff, at most the attempts configured', async () => {
    const { calls, fetch } = scriptedFetch(['reset', 503, 200]);
    const reporter = new ResultReporter({
      attempts: 3,
      fetch,
      sleep,
      random: () => 0.5,
    });
    await expect(
      reporter.report('http://127.0.0.1:1/r', 't', { status: 'failed' }),
    ).resolves.toBe('failed');
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([150, 300]);

    const gaveUp = scriptedFetch([500, 429, 502, 200]);
    await expect(
      new ResultReporter({ attempts: 3, fetch: gaveUp.fetch, sleep }).report(
        'http://127.0.0.1:1/r',
        't',
        { status: 'succeeded' },
      ),
    ).resolves.toBe('gave_up');
    expect(gaveUp.calls).toHaveLength(3);
  });

  it('does not retry a refusal (409: another report won; 403: a bad token)', async () => {
    for (const status of [409, 403, 400]) {
      const { calls, fetch } = scriptedFetch([status, 200]);
      await expect(
        new ResultReporter({ attempts: 3, fetch, sleep }).report(
          'http://127.0.0.1:1/r',
          't',
          { status: 'succeeded' },
        ),
      ).resolves.toBe('rejected');
      expect(calls).toHaveLength(1);
    }
  });
});
