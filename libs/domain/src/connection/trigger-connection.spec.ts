import { ValidationError } from '../errors';
import { PUBLIC_ONLY_NETWORK_POLICY } from '../trigger/network-policy';
import { connectionTypeForTrigger, CONNECTION_TYPES } from './connection-type';
import {
  MAX_CONNECTION_NAME_LENGTH,
  parseConnectionInput,
} from './connection-input';
import { checkTriggerConnection, connectionIdOf } from './trigger-connection';

const ID = '3f2c1a9e-8b7d-4c6e-9f10-112233445566';

function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('accepted');
}

describe('the connection a trigger names', () => {
  it('maps each broker trigger type to its connection type', () => {
    expect(
      ['amqp', 'nats', 'redis-stream', 'mqtt', 'kafka'].map(
        connectionTypeForTrigger,
      ),
    ).toEqual(['amqp', 'nats', 'redis', 'mqtt', 'kafka']);
    expect(connectionTypeForTrigger('webhook')).toBeUndefined();
    expect(connectionTypeForTrigger('redis')).toBeUndefined();
    expect(connectionTypeForTrigger('toString')).toBeUndefined();
  });

  it('reads connectionId as a lower-case UUID, and refuses anything else naming the field', () => {
    expect(connectionIdOf({ type: 'webhook' })).toBeUndefined();
    expect(
      connectionIdOf({ type: 'amqp', connectionId: ID.toUpperCase() } as never),
    ).toBe(ID);
    for (const bad of ['', 'x', 42, null, `${ID}0`, `{${ID}}`]) {
      const error = refusal(() =>
        connectionIdOf({ type: 'amqp', connectionId: bad } as never),
      );
      expect(error.field).toBe('trigger.connectionId');
    }
  });

  it('accepts a connection of the same owner and the matching type', () => {
    expect(() =>
      checkTriggerConnection({ type: 'redis-stream' }, ID, 'team-a', {
        owner: 'team-a',
        type: 'redis',
      }),
    ).not.toThrow();
    expect(() =>
      checkTriggerConnection({ type: 'amqp' }, ID, null, {
        owner: null,
        type: 'amqp',
      }),
    ).not.toThrow();
  });

  it('treats another owner’s connection exactly like a missing one', () => {
    const missing = refusal(() =>
      checkTriggerConnection({ type: 'amqp' }, ID, 'team-a', undefined),
    );
    const foreign = refusal(() =>
      checkTriggerConnection({ type: 'amqp' }, ID, 'team-a', {
        owner: 'team-b',
        type: 'amqp',
      }),
    );
    const ownerless = refusal(() =>
      checkTriggerConnection({ type: 'amqp' }, ID, 'team-a', {
        owner: null,
        type: 'amqp',
      }),
    );
    expect(missing.field).toBe('trigger.connectionId');
    expect(foreign.message).toBe(missing.message);
    expect(ownerless.message).toBe(missing.message);
    // Even when the type would not match either: nothing about it is revealed.
    const foreignNats = refusal(() =>
      checkTriggerConnection({ type: 'amqp' }, ID, 'team-a', {
        owner: 'team-b',
        type: 'nats',
      }),
    );
    expect(foreignNats.message).toBe(missing.message);
  });

  it('refuses a connection of another type, and a trigger that takes none', () => {
    expect(
      refusal(() =>
        checkTriggerConnection({ type: 'redis-stream' }, ID, 'a', {
          owner: 'a',
          type: 'nats',
        }),
      ).message,
    ).toMatch(
      /is of type "nats"; a "redis-stream" trigger needs a "redis" connection/,
    );
    expect(
      refusal(() =>
        checkTriggerConnection({ type: 'webhook' }, ID, 'a', {
          owner: 'a',
          type: 'amqp',
        }),
      ).message,
    ).toMatch(/a "webhook" trigger takes no connection/);
  });
});

describe('connection input', () => {
  it('checks name, then type, then the URL for that type', () => {
    expect(
      parseConnectionInput(
        { name: 'orders', type: 'amqp', url: 'amqp://u:p@rabbit.example.com' },
        PUBLIC_ONLY_NETWORK_POLICY,
      ),
    ).toMatchObject({
      name: 'orders',
      type: 'amqp',
      url: { masked: 'amqp://u:***@rabbit.example.com' },
    });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ type: 'amqp', url: 'amqp://h' }, 'name', /is required/],
      [{ name: ' ', type: 'amqp', url: 'amqp://h' }, 'name', /empty/],
      [{ name: ' x', type: 'amqp', url: 'amqp://h' }, 'name', /whitespace/],
      [{ name: 'a\u0000b', type: 'amqp', url: 'amqp://h' }, 'name', /control/],
      [
        { name: 'n'.repeat(MAX_CONNECTION_NAME_LENGTH + 1), type: 'amqp' },
        'name',
        /at most 200/,
      ],
      [{ name: 'x', url: 'amqp://h' }, 'type', /is required/],
      [{ name: 'x', type: 'sqs', url: 'amqp://h' }, 'type', /must be one of/],
      [{ name: 'x', type: 'nats', url: 'amqp://h' }, 'url', /does not match/],
    ];
    for (const [input, field, message] of cases) {
      const error = refusal(() =>
        parseConnectionInput(input, PUBLIC_ONLY_NETWORK_POLICY),
      );
      expect([error.field, error.message]).toEqual([
        field,
        expect.stringMatching(message),
      ]);
    }
    expect(CONNECTION_TYPES).toEqual([
      'amqp',
      'nats',
      'redis',
      'mqtt',
      'kafka',
    ]);
  });
});
