import { ValidationError } from '../errors';
import { parseCronExpression } from './cron-expression';

const now = new Date('2030-01-01T00:00:00.000Z');
const FIELD = 'schedule.expression';

function messageOf(expression: unknown): string {
  try {
    parseCronExpression(expression, now, FIELD);
  } catch (error) {
    if (error instanceof ValidationError) {
      expect(error.field).toBe(FIELD);
      return error.message;
    }
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(expression)} to be rejected`);
}

describe('parseCronExpression', () => {
  it('accepts 5 fields and 6 fields with seconds first', () => {
    expect(parseCronExpression('*/5 * * * *', now, FIELD)).toBe('*/5 * * * *');
    expect(parseCronExpression('*/5 * * * * *', now, FIELD)).toBe(
      '*/5 * * * * *',
    );
  });

  it('normalises whitespace between fields', () => {
    expect(parseCronExpression('  0  9\t* *   MON-FRI ', now, FIELD)).toBe(
      '0 9 * * MON-FRI',
    );
  });

  it('accepts names, L, # and ? as cron-parser understands them', () => {
    for (const expression of [
      '0 0 1 JAN *',
      '0 0 L * *',
      '0 0 * * 5L',
      '0 0 * * 1#2',
      '0 0 ? * *',
      '0 0 29 2 *',
    ]) {
      expect(parseCronExpression(expression, now, FIELD)).toBe(expression);
    }
  });

  it.each([
    ['* * *', 3],
    ['* * * * * * *', 7],
    ['', 0],
  ])('rejects "%s" because it has %i fields', (expression, count) => {
    expect(messageOf(expression)).toBe(
      `${FIELD}: expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, got ${count}`,
    );
  });

  it('says macros such as @daily are not supported', () => {
    expect(messageOf('@daily')).toContain(
      'macros such as @daily are not supported',
    );
  });

  it.each([
    ['0 25 * * *', 'hour field "25" is out of range 0-23'],
    ['61 * * * *', 'minute field "61" is out of range 0-59'],
    ['60 * * * * *', 'second field "60" is out of range 0-59'],
    ['0 0 32 * *', 'day-of-month field "32" is out of range 1-31'],
    ['0 0 * 13 *', 'month field "13" is out of range 1-12'],
    ['0 0 * * 8', 'day-of-week field "8" is out of range 0-7'],
    ['0-70 * * * *', 'minute field "0-70" has range 0-70 outside 0-59'],
    ['*/0 * * * *', 'minute field "*/0" has a step of 0'],
    [
      '5-2 * * * *',
      'minute field "5-2" has range 5-2 whose start is greater than its end',
    ],
    ['a * * * *', 'minute field "a" contains invalid characters'],
    ['1,,2 * * * *', 'minute field "1,,2" is a malformed list'],
    ['0 0 * * 1#6', 'day-of-week field "1#6" has a # occurrence outside 1-5'],
  ])('names the field that is wrong in "%s"', (expression, message) => {
    expect(messageOf(expression)).toContain(message);
  });

  it('rejects the hashed value H, which different processes would resolve differently', () => {
    expect(messageOf('H * * * *')).toContain(
      'minute field "H": the hashed value H is not supported',
    );
  });

  it('does not mistake the H in THU or MARCH for a hashed value', () => {
    expect(parseCronExpression('0 0 * * THU', now, FIELD)).toBe('0 0 * * THU');
    expect(messageOf('0 0 1 MARCH *')).toContain(
      'month field "MARCH" contains invalid characters',
    );
    expect(messageOf('H/5 * * * *')).toContain('hashed value H');
    expect(messageOf('0 0 * * 1,H')).toContain('hashed value H');
  });

  it.each(['0 0 30 2 *', '0 0 31 4,6 *', '0 0 0 30 2 *'])(
    'rejects "%s", which can never fire',
    (expression) => {
      expect(messageOf(expression)).toContain('can never fire');
    },
  );

  it('accepts Feb 29 even from a date whose next leap day is eight years away', () => {
    expect(
      parseCronExpression(
        '0 0 29 2 *',
        new Date('2096-03-01T00:00:00Z'),
        FIELD,
      ),
    ).toBe('0 0 29 2 *');
  });

  it('rejects non-strings and overlong expressions', () => {
    expect(messageOf(5)).toContain('must be a string');
    expect(messageOf('0 '.repeat(200))).toContain('at most 256 characters');
  });
});
