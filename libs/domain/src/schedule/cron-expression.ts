import { CronExpressionParser } from 'cron-parser';
import { errorMessage, ValidationError } from '../errors';
import { nextMatch } from './cron-matcher';
import { matcherFor } from './cron-occurrences';

/** Longest cron expression accepted; real ones are a few dozen characters. */
export const MAX_CRON_EXPRESSION_LENGTH = 256;

const FIVE_FIELD_NAMES = [
  'minute',
  'hour',
  'day-of-month',
  'month',
  'day-of-week',
] as const;
const SIX_FIELD_NAMES = ['second', ...FIVE_FIELD_NAMES] as const;

/**
 * How far ahead we look for a first occurrence before calling an expression one that can
 * never fire. The sparsest satisfiable expression is Feb 29, whose longest gap is 8 years
 * (2096 → 2104, because 2100 is not a leap year).
 */
const NEVER_FIRES_WINDOW_MS = (8 * 366 + 1) * 86_400_000;

/**
 * Validates a cron expression and returns it normalised: fields separated by single
 * spaces, as many fields as the user sent (5, or 6 with seconds first). `now` anchors the
 * "can it ever fire?" check.
 */
export function parseCronExpression(
  input: unknown,
  now: Date,
  field: string,
): string {
  if (typeof input !== 'string') {
    throw new ValidationError(
      field,
      'must be a string with 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first',
    );
  }
  if (input.length > MAX_CRON_EXPRESSION_LENGTH) {
    throw new ValidationError(
      field,
      `must be at most ${MAX_CRON_EXPRESSION_LENGTH} characters`,
    );
  }
  const fields = input.trim() === '' ? [] : input.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    const hint =
      fields.length === 1 && fields[0]?.startsWith('@')
        ? ' (macros such as @daily are not supported)'
        : '';
    throw new ValidationError(
      field,
      `expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, got ${fields.length}${hint}`,
    );
  }
  const names = fields.length === 6 ? SIX_FIELD_NAMES : FIVE_FIELD_NAMES;
  fields.forEach((value, index) => {
    // cron-parser reads H as "hashed": a value derived from a seed that would differ
    // between processes unless pinned, so two schedulers could disagree on the time.
    if (/(^|[^a-z])h([^a-z]|$)/i.test(value)) {
      throw new ValidationError(
        field,
        `${names[index]} field "${value}": the hashed value H is not supported`,
      );
    }
  });
  const expression = fields.join(' ');
  let first: number | null;
  try {
    // Cached: a batch of creations often repeats an expression (POST /schedules/batch).
    first = nextMatch(matcherFor(expression), now.getTime());
  } catch (error) {
    // cron-parser's messages do not say which field is wrong: parse the fields one at a
    // time to find it. Only if each is fine alone is the combination impossible.
    fields.forEach((value, index) => {
      const problem = fieldError(fields.length, index, value);
      if (problem) {
        throw new ValidationError(
          field,
          `${names[index]} field "${value}" ${problem}`,
        );
      }
    });
    throw new ValidationError(
      field,
      `"${expression}" can never fire (${errorMessage(error)})`,
    );
  }
  if (first === null || first - now.getTime() > NEVER_FIRES_WINDOW_MS) {
    throw new ValidationError(field, `"${expression}" can never fire`);
  }
  return expression;
}

/** Parses one field on its own (every other field `*`) so an error can name the field. */
function fieldError(
  fieldCount: number,
  index: number,
  value: string,
): string | null {
  const sixIndex = fieldCount === 6 ? index : index + 1;
  const probe = ['0', '*', '*', '*', '*', '*'];
  probe[sixIndex] = value;
  try {
    CronExpressionParser.parse(probe.join(' '), { tz: 'UTC' });
    return null;
  } catch (error) {
    return mapParserMessage(errorMessage(error));
  }
}

/** Turns cron-parser's messages into ones that say what is wrong in the user's terms. */
function mapParserMessage(message: string): string {
  let match = /got value (\S+) expected range (\d+)-(\d+)/.exec(message);
  if (match) return `is out of range ${match[2]}-${match[3]}`;
  match = /got range (\S+) expected range (\d+)-(\d+)/.exec(message);
  if (match) return `has range ${match[1]} outside ${match[2]}-${match[3]}`;
  if (/cannot repeat at every 0/.test(message))
    return 'has a step of 0; steps must be at least 1';
  match = /Invalid range: (\S+), min\((\d+)\) > max\((\d+)\)/.exec(message);
  if (match) return `has range ${match[1]} whose start is greater than its end`;
  if (/Invalid characters/.test(message)) return 'contains invalid characters';
  if (/Invalid list value format/.test(message)) return 'is a malformed list';
  if (/occurrence number/.test(message))
    return 'has a # occurrence outside 1-5';
  if (/standalone L/.test(message))
    return 'uses L without a weekday (e.g. 5L for the last Friday)';
  return `is invalid (${message})`;
}
