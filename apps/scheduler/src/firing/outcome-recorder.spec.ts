import { FakeClock } from '@scheduleman/domain/testing';
import type { FireRecord } from '../claims/claim';
import { OutcomeRecorder } from './outcome-recorder';
import { ManualTimers } from '../testing/manual-timers';

function recordOf(id: string): FireRecord {
  return {
    executionId: id,
    leaseVersion: 1,
    status: 'succeeded',
    attempts: 1,
    retryAt: null,
    firedAt: new Date(0),
    finishedAt: new Date(1),
    responseStatus: 200,
    error: null,
    attempt: {
      finishedAt: new Date(1),
      outcome: 'succeeded',
      response: null,
      initiationLatencyMs: 0,
      errorClass: null,
    },
  };
}

function setup(
  options: {
    maxBatchSize?: number;
    maxQueued?: number;
    trickleWindowMs?: number;
    deferWhile?: () => boolean;
    maxDeferMs?: number;
  } = {},
) {
  const clock = new FakeClock();
  const timers = new ManualTimers(clock);
  const batches: string[][] = [];
  const settled: [string, boolean][] = [];
  let failNext = 0;
  let fenced = new Set<string>();
  const recorder = new OutcomeRecorder({
    write: (records) => {
      if (failNext > 0) {
        failNext -= 1;
        return Promise.reject(
          Object.assign(new Error('connect ECONNREFUSED'), {
            code: 'ECONNREFUSED',
          }),
        );
      }
      batches.push(records.map((r) => r.executionId));
      return Promise.resolve(
        new Set(
          records.map((r) => r.executionId).filter((id) => !fenced.has(id)),
        ),
      );
    },
    onSettled: (record, written) => settled.push([record.executionId, written]),
    flushIntervalMs: 25,
    timers,
    clock,
    random: () => 0,
    ...options,
  });
  return {
    timers,
    recorder,
    batches,
    settled,
    failTimes: (n: number) => (failNext = n),
    fence: (ids: string[]) => (fenced = new Set(ids)),
  };
}

describe('OutcomeRecorder', () => {
  it('writes outcomes that arrive together in one batch after the flush interval', async () => {
    const { timers, recorder, batches, settled } = setup();
    ['a', 'b', 'c'].forEach((id) => recorder.enqueue(recordOf(id)));
    await timers.advance(24);
    expect(batches).toEqual([]);
    await timers.advance(1);
    expect(batches).toEqual([['a', 'b', 'c']]);
    expect(settled).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
    ]);
  });

  it('writes at once when a full batch is waiting, and splits larger queues', async () => {
    const { timers, recorder, batches } = setup({ maxBatchSize: 2 });
    ['a', 'b', 'c'].forEach((id) => recorder.enqueue(recordOf(id)));
    await timers.advance(0);
    expect(batches).toEqual([['a', 'b']]);
    await timers.advance(199);
    expect(batches).toEqual([['a', 'b']]);
    await timers.advance(1);
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('writes a trickle of outcomes once per trickle window after the first write', async () => {
    const { timers, recorder, batches } = setup({ trickleWindowMs: 200 });
    recorder.enqueue(recordOf('a'));
    await timers.advance(25);
    expect(batches).toEqual([['a']]);
    // One outcome every 20 ms: they wait for the window that the write opened.
    for (const id of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']) {
      recorder.enqueue(recordOf(id));
      await timers.advance(20);
    }
    expect(batches).toEqual([['a']]);
    await timers.advance(20); // 200 ms after the first write
    expect(batches).toEqual([
      ['a'],
      ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
    ]);
    // Nothing came during the next window: it closes, and a lone outcome waits 25 ms again.
    await timers.advance(200);
    recorder.enqueue(recordOf('k'));
    await timers.advance(25);
    expect(batches.at(-1)).toEqual(['k']);
  });

  it('does not hold a full batch for the trickle window', async () => {
    const { timers, recorder, batches } = setup({
      maxBatchSize: 3,
      trickleWindowMs: 200,
    });
    recorder.enqueue(recordOf('a'));
    await timers.advance(25);
    ['b', 'c', 'd'].forEach((id) => recorder.enqueue(recordOf(id)));
    await timers.advance(0);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('holds its writes while due work waits to start, then writes at once', async () => {
    let busy = true;
    const { timers, recorder, batches } = setup({
      maxBatchSize: 2,
      deferWhile: () => busy,
    });
    ['a', 'b', 'c'].forEach((id) => recorder.enqueue(recordOf(id)));
    await timers.advance(0);
    await timers.advance(300);
    expect(batches).toEqual([]);
    busy = false;
    await timers.advance(25);
    expect(batches).toEqual([['a', 'b']]);
    // The rest follows the full batch at once (a second full one would too).
    await timers.advance(200);
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('never holds an outcome for due work longer than maxDeferMs', async () => {
    const { timers, recorder, batches } = setup({
      deferWhile: () => true,
      maxDeferMs: 1_000,
    });
    recorder.enqueue(recordOf('a'));
    await timers.advance(990);
    expect(batches).toEqual([]);
    await timers.advance(10);
    expect(batches).toEqual([['a']]);
  });

  it('does not hold the writes of a shutdown for due work', async () => {
    const { recorder, batches } = setup({ deferWhile: () => true });
    recorder.enqueue(recordOf('a'));
    expect(await recorder.drain(1_000)).toBe(true);
    expect(batches).toEqual([['a']]);
  });

  it('reports outcomes the fence rejected as not written', async () => {
    const { timers, recorder, settled, fence } = setup();
    fence(['b']);
    ['a', 'b'].forEach((id) => recorder.enqueue(recordOf(id)));
    await timers.advance(25);
    expect(settled).toEqual([
      ['a', true],
      ['b', false],
    ]);
  });

  it('keeps outcomes while the database is away and writes them, oldest first, when it returns', async () => {
    const { timers, recorder, batches, settled, failTimes } = setup();
    failTimes(3);
    recorder.enqueue(recordOf('a'));
    await timers.advance(25);
    recorder.enqueue(recordOf('b'));
    expect(recorder.failing).toBe(true);
    expect(settled).toEqual([]);
    // Backoff with random 0: 50, 100, 200 ms (half of 100, 200, 400).
    await timers.advance(50 + 100);
    expect(batches).toEqual([]);
    await timers.advance(200);
    expect(batches).toEqual([['a', 'b']]);
    expect(recorder.failing).toBe(false);
    expect(recorder.queuedCount).toBe(0);
  });

  it('drops the oldest outcome when the queue is full, so memory stays bounded', async () => {
    const { timers, recorder, settled, failTimes } = setup({ maxQueued: 2 });
    failTimes(1);
    ['a', 'b', 'c'].forEach((id) => recorder.enqueue(recordOf(id)));
    expect(settled).toEqual([['a', false]]);
    expect(recorder.queuedCount).toBe(2);
    await timers.advance(25);
    expect(recorder.queuedCount).toBe(2);
  });

  it('drains everything on shutdown without waiting for the interval', async () => {
    const { recorder, batches } = setup();
    ['a', 'b'].forEach((id) => recorder.enqueue(recordOf(id)));
    expect(await recorder.drain(1_000)).toBe(true);
    expect(batches).toEqual([['a', 'b']]);
  });

  it('gives up draining when the database stays away past the deadline', async () => {
    const { timers, recorder, failTimes } = setup();
    failTimes(100);
    recorder.enqueue(recordOf('a'));
    const drained = recorder.drain(300);
    await timers.advance(1_000);
    expect(await drained).toBe(false);
    expect(recorder.queuedCount).toBe(1);
  });
});
