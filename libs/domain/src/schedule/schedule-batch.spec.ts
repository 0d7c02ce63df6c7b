import { ForbiddenError } from '../auth/principal';
import { NotFoundError, QuotaExceededError, ValidationError } from '../errors';
import {
  batchItemField,
  decisiveRefusal,
  indexProblems,
  itemRefusal,
  sumOwnerUsage,
} from './schedule-batch';

describe('batchItemField', () => {
  it('prefixes a field with the item it belongs to', () => {
    expect(batchItemField(3, 'schedule.expression')).toBe(
      'schedules[3].schedule.expression',
    );
  });

  it('names the item itself for a problem with the whole body', () => {
    expect(batchItemField(0, 'body')).toBe('schedules[0]');
    expect(batchItemField(7, '')).toBe('schedules[7]');
  });
});

describe('indexProblems', () => {
  it('gives every problem of an item its index and its path in the batch', () => {
    expect(
      indexProblems(12, [
        { field: 'trigger.url', message: 'must be a URL' },
        { field: 'name', message: 'too long' },
      ]),
    ).toEqual([
      {
        index: 12,
        field: 'schedules[12].trigger.url',
        message: 'must be a URL',
      },
      { index: 12, field: 'schedules[12].name', message: 'too long' },
    ]);
  });
});

describe('itemRefusal', () => {
  it('reads a validation error as invalid input, without the field prefix of its message', () => {
    expect(
      itemRefusal(new ValidationError('schedule.expression', 'never fires')),
    ).toEqual({
      refusal: 'invalid',
      problem: { field: 'schedule.expression', message: 'never fires' },
    });
  });

  it('reads another owner as forbidden and a quota as quota', () => {
    expect(itemRefusal(new ForbiddenError('owner', 'not yours'))).toEqual({
      refusal: 'forbidden',
      problem: { field: 'owner', message: 'not yours' },
    });
    expect(
      itemRefusal(new QuotaExceededError('schedule.expression', 'too often')),
    ).toEqual({
      refusal: 'quota',
      problem: { field: 'schedule.expression', message: 'too often' },
    });
  });

  it('leaves errors that are not about the input to fail the request', () => {
    expect(itemRefusal(new Error('connection lost'))).toBeUndefined();
    expect(itemRefusal(new NotFoundError('schedule', 'x'))).toBeUndefined();
  });
});

describe('decisiveRefusal', () => {
  it('picks forbidden over invalid over quota, whatever the order met', () => {
    expect(decisiveRefusal(['quota', 'invalid', 'forbidden'])).toBe(
      'forbidden',
    );
    expect(decisiveRefusal(['quota', 'invalid', 'quota'])).toBe('invalid');
    expect(decisiveRefusal(['quota'])).toBe('quota');
    expect(decisiveRefusal([])).toBeUndefined();
  });
});

describe('sumOwnerUsage', () => {
  it('sums each owner, skips owner-less items and sorts owners by name', () => {
    expect(
      sumOwnerUsage([
        { owner: 'zeta', usage: { schedules: 1, firesPerHour: 60 } },
        { owner: null, usage: { schedules: 1, firesPerHour: 3600 } },
        { owner: 'alpha', usage: { schedules: 1, firesPerHour: 0 } },
        { owner: 'zeta', usage: { schedules: 1, firesPerHour: 1 } },
      ]),
    ).toEqual([
      ['alpha', { schedules: 1, firesPerHour: 0 }],
      ['zeta', { schedules: 2, firesPerHour: 61 }],
    ]);
  });
});
