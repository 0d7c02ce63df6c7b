import { ValidationError } from '../errors';
import { FakeClock } from '../testing/fake-clock';
import {
  AT_PAST_TOLERANCE_MS,
  MAX_DELAY_MS,
  parseScheduleSpec,
} from './parse-schedule-spec';

const clock = new FakeClock('2030-01-01T00:00:00.000Z');

function errorOf(input: unknown, field?: string): ValidationError {
  try {
    parseScheduleSpec(input, clock.now(), field);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('parseScheduleSpec', () => {
  describe('cron', () => {
    it('defaults the time zone to UTC', () => {
      expect(
        parseScheduleSpec(
          { type: 'cron', expression: '*/5 * * * * *' },
          clock.now(),
        ),
      ).toEqual({
        type: 'cron',
        expression: '*/5 * * * * *',
        timezone: 'UTC',
      });
    });

    it('keeps an IANA time zone', () => {
      expect(
        parseScheduleSpec(
          { type: 'cron', expression: '0 9 * * *', timezone: 'Europe/Berlin' },
          clock.now(),
        ),
      ).toMatchObject({
        timezone: 'Europe/Berlin',
      });
    });

    it('names the expression and time zone fields in errors', () => {
      expect(errorOf({ type: 'cron', expression: '0 25 * * *' }).field).toBe(
        'schedule.expression',
      );
      expect(
        errorOf({ type: 'cron', expression: '0 0 * * *', timezone: '+05:30' })
          .field,
      ).toBe('schedule.timezone');
      expect(errorOf({ type: 'cron' }).message).toBe(
        'schedule.expression: is required',
      );
    });
  });

  describe('at', () => {
    it('normalises the instant to UTC with milliseconds', () => {
      expect(
        parseScheduleSpec(
          { type: 'at', at: '2030-01-01T09:00:00+09:00' },
          clock.now(),
        ),
      ).toEqual({
        type: 'at',
        at: '2030-01-01T00:00:00.000Z',
      });
    });

    it(`accepts an instant up to ${AT_PAST_TOLERANCE_MS} ms in the past and rejects one a millisecond older`, () => {
      const edge = new Date(
        clock.now().getTime() - AT_PAST_TOLERANCE_MS,
      ).toISOString();
      const beyond = new Date(
        clock.now().getTime() - AT_PAST_TOLERANCE_MS - 1,
      ).toISOString();
      expect(parseScheduleSpec({ type: 'at', at: edge }, clock.now())).toEqual({
        type: 'at',
        at: edge,
      });
      const error = errorOf({ type: 'at', at: beyond });
      expect(error.field).toBe('schedule.at');
      expect(error.message).toContain('is in the past');
    });

    it('accepts an instant exactly at the maximum horizon and rejects one a millisecond later', () => {
      const edge = new Date(clock.now().getTime() + MAX_DELAY_MS).toISOString();
      const beyond = new Date(
        clock.now().getTime() + MAX_DELAY_MS + 1,
      ).toISOString();
      expect(parseScheduleSpec({ type: 'at', at: edge }, clock.now())).toEqual({
        type: 'at',
        at: edge,
      });
      expect(errorOf({ type: 'at', at: beyond }).message).toContain(
        'more than 366 days ahead',
      );
    });

    it('rejects a local time without an offset naming schedule.at', () => {
      const error = errorOf({ type: 'at', at: '2030-01-01T09:00:00' });
      expect(error.field).toBe('schedule.at');
      expect(error.message).toContain('no UTC offset');
    });

    it('rejects a time zone on an at schedule as an unknown field', () => {
      expect(
        errorOf({ type: 'at', at: '2030-01-01T09:00:00Z', timezone: 'UTC' })
          .field,
      ).toBe('schedule.timezone');
    });
  });

  describe('delay', () => {
    it('fixes the delay to an absolute at measured from now, keeping fractional seconds', () => {
      expect(
        parseScheduleSpec({ type: 'delay', delay: 'PT1.5S' }, clock.now()),
      ).toEqual({
        type: 'delay',
        delay: 'PT1.5S',
        at: '2030-01-01T00:00:01.500Z',
      });
    });

    it('accepts the maximum delay and rejects one a second longer', () => {
      expect(
        parseScheduleSpec({ type: 'delay', delay: 'P366D' }, clock.now()),
      ).toMatchObject({ at: '2031-01-02T00:00:00.000Z' });
      expect(errorOf({ type: 'delay', delay: 'P366DT1S' }).message).toContain(
        'longer than the maximum of 366 days',
      );
    });

    it('rejects zero and negative delays', () => {
      expect(errorOf({ type: 'delay', delay: 'PT0S' }).message).toContain(
        'must be positive',
      );
      expect(errorOf({ type: 'delay', delay: '-PT10S' }).message).toContain(
        'is negative',
      );
    });

    it('rejects an at sent with a delay, explaining that the API computes it', () => {
      const error = errorOf({
        type: 'delay',
        delay: 'PT10S',
        at: '2030-01-01T00:00:10Z',
      });
      expect(error.field).toBe('schedule.at');
      expect(error.message).toContain('computes "at" from "delay"');
    });
  });

  describe('shape', () => {
    it.each([null, 'cron', [], 5])('rejects %p as not an object', (input) => {
      expect(errorOf(input).field).toBe('schedule');
    });

    it('rejects a missing or unknown type naming schedule.type', () => {
      expect(errorOf({ expression: '* * * * *' }).field).toBe('schedule.type');
      expect(errorOf({ type: 'interval' }).message).toBe(
        'schedule.type: must be one of cron, at, delay; got "interval"',
      );
    });

    it('rejects unknown fields by name', () => {
      const error = errorOf({ type: 'cron', expression: '* * * * *', foo: 1 });
      expect(error.field).toBe('schedule.foo');
      expect(error.message).toContain('unknown field');
    });

    it('uses the given field prefix', () => {
      expect(
        errorOf({ type: 'cron', expression: 'nope' }, 'body.schedule').field,
      ).toBe('body.schedule.expression');
    });
  });
});
