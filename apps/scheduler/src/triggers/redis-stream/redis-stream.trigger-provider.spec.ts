import type {
  BrokerMessage,
  FireOutcome,
  FireRequest,
  RedisStreamTriggerSpec,
} from '@scheduleman/domain';
import { ErrorReply } from 'redis';
import type { BrokerClientPool } from '../broker/broker-client-pool';
import type { BrokerFiring } from '../broker/broker-firing';
import type { ResolvedConnection } from '../broker/connection-source';
import {
  redisClientOptions,
  type RedisStreamClient,
  runXaddOnce,
  XADD_ONCE_SHA,
} from './redis-stream-client';
import {
  RedisStreamTriggerProvider,
  streamFields,
} from './redis-stream.trigger-provider';

const CONNECTION: ResolvedConnection = {
  id: '3f2a6d4e-8b1c-4f5e-9a7b-2c3d4e5f6a7b',
  owner: null,
  name: 'jobs-redis',
  type: 'redis',
  url: {
    type: 'redis',
    url: 'redis://127.0.0.1:6379',
    masked: 'redis://127.0.0.1:6379',
    tls: false,
    brokers: [{ host: '127.0.0.1', port: 6379 }],
    database: 0,
    params: {},
  },
};
const TRIGGER: RedisStreamTriggerSpec = {
  type: 'redis-stream',
  connectionId: CONNECTION.id,
  stream: 'jobs',
  maxLen: 1000,
  headers: {},
};
const MESSAGE: BrokerMessage = {
  body: '{"a":1}',
  contentType: 'application/json',
  headers: { 'Idempotency-Key': 'exec-1', 'X-Scheduleman-Attempt': '1' },
};
const REQUEST: FireRequest = {
  executionId: 'exec-1',
  scheduleId: 'sched-1',
  scheduleName: null,
  scheduleOwner: null,
  scheduledAt: new Date('2030-01-01T00:00:00Z'),
  attempt: 1,
  trigger: TRIGGER,
};

function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

function setUp(
  answer: () => Promise<{ id: string; duplicate: boolean }>,
  client: Partial<RedisStreamClient> = {},
) {
  const calls: unknown[][] = [];
  const fake: RedisStreamClient = {
    state: 'up',
    addOnce: (...args) => {
      calls.push(args);
      return answer();
    },
    ...client,
  };
  const discarded: string[] = [];
  const pool = {
    discard: (_id: string, c: RedisStreamClient, reason: string) => {
      if (c === fake) discarded.push(reason);
    },
  } as unknown as BrokerClientPool<RedisStreamClient>;
  const firing = {
    prepare: () =>
      Promise.resolve({
        trigger: TRIGGER,
        connection: CONNECTION,
        client: fake,
        message: MESSAGE,
      }),
  } as unknown as BrokerFiring;
  const provider = new RedisStreamTriggerProvider(firing, pool);
  const fire = (signal = new AbortController().signal): Promise<FireOutcome> =>
    provider.fire(REQUEST, { signal });
  return { calls, discarded, fire };
}

describe('RedisStreamTriggerProvider', () => {
  it('adds the body and one field per header, once per execution id, trimmed to maxLen', async () => {
    const { calls, fire } = setUp(() =>
      Promise.resolve({ id: '1700000000000-0', duplicate: false }),
    );

    expect(await fire()).toEqual({ kind: 'delivered', ref: '1700000000000-0' });
    expect(calls).toEqual([
      [
        'jobs',
        'exec-1',
        1000,
        [
          'body',
          '{"a":1}',
          'Idempotency-Key',
          'exec-1',
          'X-Scheduleman-Attempt',
          '1',
        ],
      ],
    ]);
  });

  it('counts a repeat of the execution id as delivered, with the first entry id', async () => {
    const { fire } = setUp(() =>
      Promise.resolve({ id: '1700000000000-0', duplicate: true }),
    );

    expect(await fire()).toEqual({
      kind: 'delivered',
      ref: '1700000000000-0',
      duplicate: true,
    });
  });

  it.each<[string, Error, FireOutcome]>([
    [
      'a key of another type',
      new ErrorReply(
        'WRONGTYPE Operation against a key holding the wrong kind of value script: 1, on @user_script:1.',
      ),
      {
        kind: 'permanent',
        error: 'key "jobs" holds a value that is not a stream',
      },
    ],
    [
      'a missing permission',
      new ErrorReply(
        "NOPERM User app has no permissions to run the 'xadd' command",
      ),
      {
        kind: 'permanent',
        error:
          'Redis refused the XADD to "jobs": NOPERM User app has no permissions to run the \'xadd\' command',
      },
    ],
    [
      'a full memory',
      new ErrorReply("OOM command not allowed when used memory > 'maxmemory'."),
      {
        kind: 'retryable',
        error:
          'Redis refused the XADD to "jobs": OOM command not allowed when used memory > \'maxmemory\'.',
      },
    ],
    [
      'a read-only replica (a failover under way)',
      new ErrorReply("READONLY You can't write against a read only replica."),
      {
        kind: 'retryable',
        error:
          'Redis refused the XADD to "jobs": READONLY You can\'t write against a read only replica.',
      },
    ],
    [
      'a client reconnecting (offline queue off)',
      named('ClientOfflineError', 'The client is offline'),
      { kind: 'retryable', error: 'Redis: The client is offline' },
    ],
    [
      'a socket closed with the command in flight',
      named('SocketClosedUnexpectedlyError', 'Socket closed unexpectedly'),
      { kind: 'retryable', error: 'Redis: Socket closed unexpectedly' },
    ],
  ])('maps %s', async (_what, error, expected) => {
    const { fire, discarded } = setUp(() => Promise.reject(error));

    expect(await fire()).toEqual(expected);
    expect(discarded).toEqual([]);
  });

  it('discards a closed client from the pool', async () => {
    const { fire, discarded } = setUp(() =>
      Promise.reject(named('ClientClosedError', 'The client is closed')),
    );

    expect(await fire()).toMatchObject({ kind: 'retryable' });
    expect(discarded).toEqual(['the Redis client closed']);
  });

  it('fails at once, without a command, while node-redis reconnects', async () => {
    const { fire, calls } = setUp(
      () => Promise.resolve({ id: '1-0', duplicate: false }),
      { state: 'reconnecting' },
    );

    expect(await fire()).toEqual({
      kind: 'retryable',
      error: 'the Redis connection "jobs-redis" is reconnecting',
    });
    expect(calls).toEqual([]);
  });

  it('answers as soon as the signal aborts, as an ambiguous timeout', async () => {
    const { fire } = setUp(() => new Promise(() => undefined));
    const controller = new AbortController();

    const pending = fire(controller.signal);
    setTimeout(() => {
      controller.abort();
    }, 20);
    const outcome = await pending;

    expect(outcome.kind).toBe('retryable');
    expect(outcome.kind !== 'delivered' && outcome.error).toMatch(
      /^timeout after \d+ ms, no acknowledgement \(ambiguous.*execution id/,
    );
  });

  it('leaves out a user header named body (it would be a second body field)', () => {
    expect(
      streamFields({
        ...MESSAGE,
        headers: { body: 'x', Body: 'y' },
      }),
    ).toEqual(['body', '{"a":1}', 'Body', 'y']);
  });
});

describe('runXaddOnce', () => {
  it('runs the script by its SHA with the dedup key, the window and MAXLEN', async () => {
    const sent: (readonly string[])[] = [];
    const redis = {
      sendCommand: (args: readonly string[]) => {
        sent.push(args);
        return Promise.resolve(['5-0', 0]);
      },
    };

    expect(
      await runXaddOnce(redis, 's', 'e', undefined, ['body', 'b']),
    ).toEqual({ id: '5-0', duplicate: false });
    expect(sent).toEqual([
      [
        'EVALSHA',
        XADD_ONCE_SHA,
        '2',
        'scheduleman:dedup:s:e',
        's',
        '3600',
        '',
        'body',
        'b',
      ],
    ]);
  });

  it('loads the script again once when the server lost it (NOSCRIPT)', async () => {
    const sent: string[] = [];
    let loaded = false;
    const redis = {
      sendCommand: (args: readonly string[]) => {
        sent.push(args[0]);
        if (args[0] === 'SCRIPT') {
          loaded = true;
          return Promise.resolve(XADD_ONCE_SHA);
        }
        return loaded
          ? Promise.resolve(['6-0', 1])
          : Promise.reject(
              new ErrorReply('NOSCRIPT No matching script. Please use EVAL.'),
            );
      },
    };

    expect(await runXaddOnce(redis, 's', 'e', 100, [])).toEqual({
      id: '6-0',
      duplicate: true,
    });
    expect(sent).toEqual(['EVALSHA', 'SCRIPT', 'EVALSHA']);
  });
});

describe('redisClientOptions', () => {
  const lookup = jest.fn();

  it('takes host, port, credentials and database from the parsed URL, and the guarded lookup', () => {
    const options = redisClientOptions(
      {
        ...CONNECTION.url,
        username: 'app',
        password: 's3cret',
        database: 3,
        brokers: [{ host: 'redis.internal', port: 6380 }],
      },
      lookup,
      'n',
      5000,
      () => true,
    );

    expect(options).toMatchObject({
      socket: {
        host: 'redis.internal',
        port: 6380,
        lookup,
        connectTimeout: 5000,
      },
      username: 'app',
      password: 's3cret',
      database: 3,
      name: 'n',
      disableOfflineQueue: true,
    });
    expect(options.socket).not.toHaveProperty('tls');
  });

  it('uses TLS for rediss://, with the host name as SNI', () => {
    const options = redisClientOptions(
      {
        ...CONNECTION.url,
        tls: true,
        brokers: [{ host: 'redis.example.com', port: 6380 }],
      },
      lookup,
      'n',
      5000,
      () => true,
    );

    expect(options.socket).toMatchObject({
      tls: true,
      servername: 'redis.example.com',
    });
  });

  it('never retries a first connect, and retries a drop a few times with a growing delay', () => {
    let ready = false;
    const socket = redisClientOptions(
      CONNECTION.url,
      lookup,
      'n',
      5000,
      () => ready,
    ).socket as { reconnectStrategy: (retries: number) => number | false };

    expect(socket.reconnectStrategy(0)).toBe(false);
    ready = true;
    expect([0, 1, 2, 5, 9].map((r) => socket.reconnectStrategy(r))).toEqual([
      50, 100, 200, 1000, 1000,
    ]);
    expect(socket.reconnectStrategy(10)).toBe(false);
  });
});
