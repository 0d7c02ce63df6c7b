import { ValidationError } from '../../errors';
import { parseTriggerSpec } from '../trigger-validation';

const CONNECTION = '3f2a6d4e-8b1c-4f5e-9a7b-2c3d4e5f6a7b';

/** The field a refusal names, or 'accepted'. */
function refusal(trigger: Record<string, unknown>): string {
  try {
    parseTriggerSpec(trigger);
    return 'accepted';
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
}

describe('broker trigger definitions', () => {
  it('accept the contract examples and fill the defaults', () => {
    expect(
      parseTriggerSpec({
        type: 'amqp',
        connectionId: CONNECTION.toUpperCase(),
        exchange: '',
        routingKey: 'jobs',
      }),
    ).toEqual({
      type: 'amqp',
      connectionId: CONNECTION,
      exchange: '',
      routingKey: 'jobs',
      headers: {},
    });
    expect(
      parseTriggerSpec({
        type: 'nats',
        connectionId: CONNECTION,
        subject: 'jobs.created',
        body: { a: 1 },
        headers: { 'X-Tenant': 'a' },
      }),
    ).toEqual({
      type: 'nats',
      connectionId: CONNECTION,
      subject: 'jobs.created',
      body: { a: 1 },
      headers: { 'X-Tenant': 'a' },
    });
    expect(
      parseTriggerSpec({
        type: 'redis-stream',
        connectionId: CONNECTION,
        stream: 'jobs',
      }),
    ).toEqual({
      type: 'redis-stream',
      connectionId: CONNECTION,
      stream: 'jobs',
      headers: {},
    });
    expect(
      parseTriggerSpec({
        type: 'mqtt',
        connectionId: CONNECTION,
        topic: 'jobs/created',
      }),
    ).toMatchObject({ qos: 1, retain: false });
    expect(
      parseTriggerSpec({
        type: 'kafka',
        connectionId: CONNECTION,
        topic: 'jobs',
      }),
    ).toEqual({
      type: 'kafka',
      connectionId: CONNECTION,
      topic: 'jobs',
      headers: {},
    });
  });

  it.each([
    [{ type: 'amqp', exchange: 'x' }, 'trigger.connectionId'],
    [
      { type: 'amqp', connectionId: 'nope', exchange: 'x' },
      'trigger.connectionId',
    ],
    [{ type: 'amqp', connectionId: CONNECTION }, 'trigger.exchange'],
    [
      { type: 'amqp', connectionId: CONNECTION, exchange: 'a b' },
      'trigger.exchange',
    ],
    [
      {
        type: 'amqp',
        connectionId: CONNECTION,
        exchange: '',
        routingKey: 'é'.repeat(128),
      },
      'trigger.routingKey',
    ],
    [
      { type: 'amqp', connectionId: CONNECTION, exchange: '', queue: 'q' },
      'trigger.queue',
    ],
    [
      { type: 'nats', connectionId: CONNECTION, subject: 'jobs.*' },
      'trigger.subject',
    ],
    [
      { type: 'nats', connectionId: CONNECTION, subject: 'jobs..x' },
      'trigger.subject',
    ],
    [
      { type: 'nats', connectionId: CONNECTION, subject: '$JS.API.x' },
      'trigger.subject',
    ],
    [
      { type: 'nats', connectionId: CONNECTION, subject: 'a\nb' },
      'trigger.subject',
    ],
    [
      { type: 'redis-stream', connectionId: CONNECTION, stream: '' },
      'trigger.stream',
    ],
    [
      {
        type: 'redis-stream',
        connectionId: CONNECTION,
        stream: 's',
        maxLen: 5,
      },
      'trigger.maxLen',
    ],
    [
      { type: 'mqtt', connectionId: CONNECTION, topic: 'a/+/b' },
      'trigger.topic',
    ],
    [
      { type: 'mqtt', connectionId: CONNECTION, topic: '$SYS/x' },
      'trigger.topic',
    ],
    [
      { type: 'mqtt', connectionId: CONNECTION, topic: 't', qos: 0 },
      'trigger.qos',
    ],
    [
      { type: 'mqtt', connectionId: CONNECTION, topic: 't', retain: 'yes' },
      'trigger.retain',
    ],
    [
      { type: 'kafka', connectionId: CONNECTION, topic: 'a/b' },
      'trigger.topic',
    ],
    [{ type: 'kafka', connectionId: CONNECTION, topic: '..' }, 'trigger.topic'],
    [
      { type: 'kafka', connectionId: CONNECTION, topic: 't', key: 5 },
      'trigger.key',
    ],
    [
      {
        type: 'kafka',
        connectionId: CONNECTION,
        topic: 't',
        headers: { 'Idempotency-Key': 'x' },
      },
      'trigger.headers.Idempotency-Key',
    ],
    [
      {
        type: 'nats',
        connectionId: CONNECTION,
        subject: 's',
        headers: { a: 'x\r\ny' },
      },
      'trigger.headers.a',
    ],
    [
      { type: 'nats', connectionId: CONNECTION, subject: 'jobs.{{nope}}' },
      'trigger.subject',
    ],
    [
      { type: 'amqp', connectionId: CONNECTION, exchange: '{{name}}' },
      'trigger.exchange',
    ],
    [
      { type: 'kafka', connectionId: CONNECTION, topic: 't', format: 'xml' },
      'trigger.format',
    ],
    [
      {
        type: 'mqtt',
        connectionId: CONNECTION,
        topic: 't',
        body: { a: '{{secret}}' },
      },
      'trigger.body.a',
    ],
  ])('refuse %j naming %s', (trigger, field) => {
    expect(refusal(trigger)).toBe(field);
  });

  it('check names with template placeholders as if each were one character', () => {
    expect(
      refusal({
        type: 'kafka',
        connectionId: CONNECTION,
        topic: 'jobs.{{metadata.tenant}}',
      }),
    ).toBe('accepted');
  });

  it('keep the format when it is cloudevents', () => {
    expect(
      parseTriggerSpec({
        type: 'redis-stream',
        connectionId: CONNECTION,
        stream: 's',
        format: 'cloudevents',
      }),
    ).toMatchObject({ format: 'cloudevents' });
  });
});
