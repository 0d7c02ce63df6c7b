import type {
  BrokerMessage,
  FireOutcome,
  FireRequest,
  RedisStreamTriggerSpec,
  TriggerProvider,
} from '@scheduleman/domain';
import type { BrokerClientPool } from '../broker/broker-client-pool';
import type { BrokerFiring } from '../broker/broker-firing';
import { ambiguousTimeout } from '../broker/publish-deadline';
import { ABORTED, raceSignal } from '../broker/race-signal';
import type { RedisStreamClient } from './redis-stream-client';
import {
  isRedisClientClosed,
  redisOutcomeForAdd,
  redisOutcomeForError,
} from './redis-stream-outcome';

export const REDIS_STREAM_TRIGGER_TYPE = 'redis-stream';

/** The stream entry field that carries the message body (architecture.md). */
export const REDIS_BODY_FIELD = 'body';

/**
 * Adds one attempt to a Redis stream (architecture.md, "Connections and broker
 * triggers"): an entry with the field `body` and one field per header; initiated = the
 * XADD reply (the entry is in the primary's memory: docs/triggers.md says what that is
 * worth). A script adds it at most once per execution id within
 * REDIS_DEDUP_WINDOW_SECONDS (redis-stream-client.ts): a repeat is answered with the
 * existing entry's id and is delivered. Never throws.
 *
 * One client per connection row, shared by every fire: node-redis pipelines the
 * commands of concurrent fires on its one socket.
 */
export class RedisStreamTriggerProvider implements TriggerProvider {
  readonly type = REDIS_STREAM_TRIGGER_TYPE;

  constructor(
    private readonly firing: BrokerFiring,
    private readonly pool: BrokerClientPool<RedisStreamClient>,
  ) {}

  async fire(
    request: FireRequest,
    { signal }: { signal: AbortSignal },
  ): Promise<FireOutcome> {
    const startedAt = performance.now();
    const prepared = await this.firing.prepare<
      RedisStreamTriggerSpec,
      RedisStreamClient
    >(request, REDIS_STREAM_TRIGGER_TYPE, this.pool, signal);
    if ('kind' in prepared) return prepared;
    const { trigger, client, message, connection } = prepared;
    if (client.state !== 'up')
      return {
        kind: 'retryable',
        error: `the Redis connection "${connection.name}" is reconnecting`,
      };
    try {
      const added = await raceSignal(
        client.addOnce(
          trigger.stream,
          request.executionId,
          trigger.maxLen,
          streamFields(message),
        ),
        signal,
      );
      if (added === ABORTED)
        return {
          kind: 'retryable',
          error: ambiguousTimeout(
            performance.now() - startedAt,
            'execution id (the dedup key)',
          ),
        };
      return redisOutcomeForAdd(added);
    } catch (error) {
      if (isRedisClientClosed(error))
        this.pool.discard(connection.id, client, 'the Redis client closed');
      return redisOutcomeForError(error, trigger.stream);
    }
  }
}

/**
 * `body`, then one field per header under its own name. A user header named `body`
 * would make a second `body` field (XADD keeps both; readers see one): it is left out.
 */
export function streamFields(message: BrokerMessage): string[] {
  const fields = [REDIS_BODY_FIELD, message.body];
  for (const name in message.headers)
    if (name !== REDIS_BODY_FIELD) fields.push(name, message.headers[name]);
  return fields;
}
