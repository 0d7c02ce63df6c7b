import { CronExpressionParser } from 'cron-parser';
import { compileCron, nextMatch, previousMatch } from './cron-matcher';

const EXPRESSIONS = [
  '* * * * * *',
  '*/7 * * * * *',
  '5,35 */13 * * * *',
  '0 0 * * * *',
  '*/5 * * * *',
  '0 9 * * 1-5',
  '30 2 * * *',
  '0 0 1 * *',
  '0 0 31 * *',
  '0 0 L * *',
  '0 0 L 2 *',
  '0 0 29 2 *',
  '0 0 13 * 5',
  '0 0 * * 5L',
  '0 12 * * 1#2',
  '0 12 * * 6#5',
  '0 0 1,15 * MON',
  '15 10 ? JAN,JUL *',
  '0 0 * * 0',
  '0 0 * * 7',
  '59 59 23 31 12 *',
  '0 0 1-7 * SUN',
  '0-30/10 5/10 * * * *',
  '0 0 * 2 ?',
];

/** A seeded generator, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('cron matcher', () => {
  it.each(EXPRESSIONS)(
    'agrees with cron-parser on "%s" in both directions from 80 random instants',
    (expression) => {
      const cron = compileCron(expression);
      const reference = CronExpressionParser.parse(expression, { tz: 'UTC' });
      const next = random(expression.length * 7919);
      const from = Date.parse('2024-01-01T00:00:00Z');
      const span = Date.parse('2036-01-01T00:00:00Z') - from;
      for (let i = 0; i < 80; i++) {
        // Half the probes sit on whole seconds, where "strictly after" matters most.
        const raw = from + Math.floor(next() * span);
        const probe = i % 2 === 0 ? raw - (raw % 1000) : raw;
        reference.reset(new Date(probe));
        expect(new Date(nextMatch(cron, probe) ?? 0).toISOString()).toBe(
          reference.next().toISOString(),
        );
        reference.reset(new Date(probe));
        expect(new Date(previousMatch(cron, probe) ?? 0).toISOString()).toBe(
          reference.prev().toISOString(),
        );
      }
    },
  );

  it('walks consecutive occurrences identically to cron-parser across month and year ends', () => {
    for (const expression of [
      '0 0 L * *',
      '0 30 23 * * *',
      '0 0 * * 5L',
      '0 0 29 2 *',
    ]) {
      const cron = compileCron(expression);
      const reference = CronExpressionParser.parse(expression, {
        tz: 'UTC',
        currentDate: new Date('2027-11-15T00:00:00Z'),
      });
      let cursor = Date.parse('2027-11-15T00:00:00Z');
      for (let i = 0; i < 30; i++) {
        const expected = reference.next().getTime();
        const actual = nextMatch(cron, cursor);
        expect(actual).toBe(expected);
        cursor = expected;
      }
    }
  });
});
