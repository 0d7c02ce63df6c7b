import { CronExpressionParser } from 'cron-parser';
import { scheduleRate } from './schedule-rate';

function cron(expression: string) {
  return scheduleRate({ type: 'cron', expression, timezone: 'UTC' });
}

/**
 * The brute-force answer: walk cron-parser's occurrences over two days of wall time, or
 * for a dense cron (every hour alike) over four hours around midnight.
 */
function walked(
  expression: string,
  dense: boolean,
): { firesPerHour: number; minIntervalMs: number } {
  const it = CronExpressionParser.parse(expression, {
    tz: 'UTC',
    currentDate: new Date(
      dense ? '2030-01-07T22:00:00.000Z' : '2030-01-07T00:00:00.000Z',
    ),
    endDate: new Date(
      dense ? '2030-01-08T02:00:00.000Z' : '2030-01-09T00:00:00.000Z',
    ),
  });
  const times: number[] = [];
  while (it.hasNext()) times.push(it.next().getTime());
  const perHour = new Map<number, number>();
  for (const t of times) {
    const hour = Math.floor(t / 3_600_000);
    perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
  }
  let minIntervalMs = Infinity;
  for (let i = 1; i < times.length; i++)
    minIntervalMs = Math.min(minIntervalMs, times[i] - times[i - 1]);
  return { firesPerHour: Math.max(...perHour.values()), minIntervalMs };
}

describe('scheduleRate', () => {
  it.each<[string, number, number]>([
    ['* * * * * *', 3600, 1_000],
    ['*/5 * * * * *', 720, 5_000],
    ['*/7 * * * * *', 540, 4_000], // 56 → 0 of the next minute
    ['*/5 * * * *', 12, 300_000],
    ['0 * * * *', 1, 3_600_000],
    ['0 0 * * *', 1, 86_400_000],
    ['30 9,17 * * 1-5', 1, 8 * 3_600_000],
    ['0 59 23 * * *', 1, 86_400_000],
    ['0 0,59 0,23 * * *', 2, 60_000], // 23:59 → 00:00 the next day
    ['* * 9 * * *', 3600, 1_000],
    ['0-30/10 5/10 * * * *', 24, 10_000],
  ])(
    'rates %s at %i fires in its busiest hour, %i ms apart at least',
    (expression, firesPerHour, minIntervalMs) => {
      expect(cron(expression)).toEqual({ firesPerHour, minIntervalMs });
    },
  );

  it.each<[string, boolean]>([
    ['* * * * * *', true],
    ['*/7 * * * * *', true],
    ['5,35 */13 * * * *', true],
    ['0-30/10 5/10 * * * *', true],
    ['1-3 58,59 * * * *', true],
    ['15 10,11 * * *', false],
    ['0 0,59 0,23 * * *', false],
    ['0 */90 * * * *', false],
    ['0 0 */5 * * *', false],
  ])('agrees with walking the occurrences of %s', (expression, dense) => {
    expect(cron(expression)).toEqual(walked(expression, dense));
  });

  it('gives one-shots no rate: they fire once and count as schedules only', () => {
    expect(
      scheduleRate({ type: 'at', at: '2030-01-01T00:00:00.000Z' }),
    ).toEqual({ firesPerHour: 0, minIntervalMs: null });
    expect(
      scheduleRate({
        type: 'delay',
        delay: 'PT5S',
        at: '2030-01-01T00:00:05.000Z',
      }),
    ).toEqual({ firesPerHour: 0, minIntervalMs: null });
  });

  it('is cheap even for the busiest cron: no occurrence is walked', () => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 1_000; i++) cron('* * * * * *');
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    // Walking one day of a per-second cron alone takes seconds (the test above).
    expect(elapsedMs).toBeLessThan(1_000);
  });
});
