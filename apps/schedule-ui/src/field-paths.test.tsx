import { describe, expect, it } from 'vitest';
import { fieldIdFor, FIELD_IDS } from './field-paths';
import { emptyForm, type FormState } from './form-state';

const form: FormState = {
  ...emptyForm('UTC'),
  headers: [
    { name: 'Authorization', value: 'x', secret: false },
    { name: 'X-Api-Token', value: 'y', secret: true },
    { name: 'X-Other', value: 'z', secret: true },
  ],
};

describe('fieldIdFor', () => {
  it.each([
    ['name', FIELD_IDS.name],
    ['owner', FIELD_IDS.owner],
    ['maxAttempts', FIELD_IDS.maxAttempts],
    ['misfirePolicy', FIELD_IDS.misfirePolicy],
    ['schedule', FIELD_IDS.kind],
    ['schedule.type', FIELD_IDS.kind],
    ['schedule.expression', FIELD_IDS.expression],
    ['schedule.timezone', FIELD_IDS.timezone],
    ['schedule.at', FIELD_IDS.at],
    ['schedule.delay', FIELD_IDS.delay],
    ['trigger', FIELD_IDS.triggerType],
    ['trigger.type', FIELD_IDS.triggerType],
    ['trigger.url', FIELD_IDS.url],
    ['trigger.method', FIELD_IDS.method],
    ['trigger.body', FIELD_IDS.body],
    ['trigger.body.items[2]', FIELD_IDS.body],
    ['trigger.body.a.b', FIELD_IDS.body],
    ['trigger.format', FIELD_IDS.format],
    ['trigger.headers', FIELD_IDS.headers],
    ['trigger.connectionId', FIELD_IDS.connectionId],
    ['trigger.exchange', FIELD_IDS.exchange],
    ['trigger.routingKey', FIELD_IDS.routingKey],
    ['trigger.subject', FIELD_IDS.subject],
    ['trigger.stream', FIELD_IDS.stream],
    ['trigger.maxLen', FIELD_IDS.maxLen],
    ['trigger.topic', FIELD_IDS.topic],
    ['trigger.qos', FIELD_IDS.qos],
    ['trigger.retain', FIELD_IDS.retain],
    ['trigger.key', FIELD_IDS.key],
    ['trigger.unknownThing', FIELD_IDS.triggerType],
  ])('maps %s to its input', (path, id) => {
    expect(fieldIdFor(path, form)).toBe(id);
  });

  it('has no input for a field the form does not show (the summary lists it)', () => {
    expect(fieldIdFor('metadata', form)).toBeNull();
    expect(fieldIdFor('authorization', form)).toBeNull();
  });

  it("puts a header's message beside its value, or its name when the name is the problem", () => {
    expect(
      fieldIdFor('trigger.headers.X-Api-Token', form, 'must be a string'),
    ).toBe('f-header-value-1');
    expect(
      fieldIdFor(
        'trigger.headers.x-other',
        form,
        'is not a valid header name (RFC 7230 token)',
      ),
    ).toBe('f-header-name-2');
    expect(
      fieldIdFor(
        'trigger.headers.Idempotency-Key',
        form,
        'is set by scheduleman',
      ),
    ).toBe(FIELD_IDS.headers);
  });

  it('maps secretHeaders[i] to the i-th header marked secret', () => {
    expect(fieldIdFor('trigger.secretHeaders[1]', form)).toBe(
      'f-header-secret-2',
    );
    expect(fieldIdFor('trigger.secretHeaders[5]', form)).toBe(
      FIELD_IDS.headers,
    );
  });
});
