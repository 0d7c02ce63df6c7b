import { ValidationError } from '../errors';
import type { TriggerDefinition, TriggerSpecBase } from './trigger-spec';
import { parseTriggerSpec } from './trigger-validation';

function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

interface QueueTriggerSpec extends TriggerSpecBase {
  type: 'queue';
  topic: string;
}

const QUEUE: TriggerDefinition<QueueTriggerSpec> = {
  type: 'queue',
  parse(input, field) {
    if (typeof input['topic'] !== 'string')
      throw new ValidationError(`${field}.topic`, 'is required');
    return { type: 'queue', topic: input['topic'] };
  },
};

describe('parseTriggerSpec', () => {
  it('validates a webhook by default', () => {
    expect(
      parseTriggerSpec({ type: 'webhook', url: 'https://example.com/hook' }),
    ).toEqual({
      type: 'webhook',
      url: 'https://example.com/hook',
      method: 'POST',
      headers: {},
    });
  });

  it('names the known types when the type is unknown', () => {
    const error = errorOf(() => parseTriggerSpec({ type: 'x' }));
    expect(error.field).toBe('trigger.type');
    expect(error.message).toBe(
      'trigger.type: unknown trigger type "x"; known: webhook, amqp, nats, redis-stream, mqtt, kafka',
    );
  });

  it('requires a type and an object', () => {
    expect(
      errorOf(() => parseTriggerSpec({ url: 'https://example.com' })).field,
    ).toBe('trigger.type');
    expect(errorOf(() => parseTriggerSpec('https://example.com')).field).toBe(
      'trigger',
    );
    expect(errorOf(() => parseTriggerSpec(null)).field).toBe('trigger');
    expect(errorOf(() => parseTriggerSpec([])).field).toBe('trigger');
  });

  it('dispatches to the definition registered for the type, with the field prefix', () => {
    expect(
      parseTriggerSpec({ type: 'queue', topic: 'jobs' }, 'trigger', [QUEUE]),
    ).toEqual({ type: 'queue', topic: 'jobs' });
    expect(
      errorOf(() =>
        parseTriggerSpec({ type: 'queue' }, 'body.trigger', [QUEUE]),
      ).field,
    ).toBe('body.trigger.topic');
    expect(
      errorOf(() => parseTriggerSpec({ type: 'webhook' }, 'trigger', [QUEUE]))
        .message,
    ).toContain('known: queue');
  });
});
