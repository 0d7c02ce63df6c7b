import type { LoggerService } from '@nestjs/common';
import {
  type ConnectionUrl,
  errorMessage,
  type NetworkPolicy,
  parseIpHost,
} from '@scheduleman/domain';
import { createHash } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { createClient, type RedisClientOptions } from 'redis';
import type { BrokerClientFactory } from '../broker/broker-client-pool';
import type { ResolvedConnection } from '../broker/connection-source';
import { guardedLookup } from '../outbound/destination-guard';

/** How long the execution id of an XADD is remembered: longer than any retry horizon. */
export const REDIS_DEDUP_WINDOW_SECONDS = 3_600;

/** The key remembering that `executionId` was added to `stream` (its value: the entry id). */
export function redisDedupKey(stream: string, executionId: string): string {
  return `scheduleman:dedup:${stream}:${executionId}`;
}

/**
 * XADD at most once per execution id, atomically (a script runs alone on the server):
 * KEYS[1] the dedup key, KEYS[2] the stream; ARGV[1] the window in seconds, ARGV[2]
 * MAXLEN ('' for none), then field, value, … Returns {entry id, 1 if it was a repeat}.
 *
 * The dedup key is written after the XADD, holding its id, so a refused XADD (a key of
 * another type, OOM) leaves nothing behind that would swallow the retry, and a repeat
 * answers the id of the entry it repeats. Redis ≥ 8.6 has `XADD … IDMP` for this; the
 * script works on every version (the local server is 7.0), with a longer window than
 * IDMP's 100 s default.
 */
export const XADD_ONCE_SCRIPT = `local id = redis.call('GET', KEYS[1])
if id then return {id, 1} end
if ARGV[2] == '' then
  id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
else
  id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
end
redis.call('SET', KEYS[1], id, 'EX', ARGV[1])
return {id, 0}`;

export const XADD_ONCE_SHA = createHash('sha1')
  .update(XADD_ONCE_SCRIPT)
  .digest('hex');

/** What an XADD of the script answered. */
export interface StreamAdd {
  id: string;
  duplicate: boolean;
}

/** What the provider adds entries through: one Redis connection, shared by every fire. */
export interface RedisStreamClient {
  /** `up`, or `reconnecting` while node-redis reconnects (commands then fail at once). */
  readonly state: 'up' | 'reconnecting';
  /** The script: one entry per execution id (`fields`: field, value, …). */
  addOnce(
    stream: string,
    executionId: string,
    maxLen: number | undefined,
    fields: readonly string[],
  ): Promise<StreamAdd>;
}

/** The subset of node-redis the client uses (a fake in unit tests). */
export interface RedisCommands {
  sendCommand(args: readonly string[]): Promise<unknown>;
}

export interface RedisStreamClientFactoryOptions {
  policy: NetworkPolicy;
  logger?: LoggerService;
  /** Connect (TCP + TLS) limit. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Sent with CLIENT SETNAME. */
  name?: string;
  /** Reconnects after a drop before the client ends. Default RECONNECT_ATTEMPTS (10). */
  reconnectAttempts?: number;
}

/** Reconnects node-redis tries by itself after a drop, before the client gives up. */
export const RECONNECT_ATTEMPTS = 10;

/** The node-redis options of a connection, from its parsed URL (never from the URL text). */
export function redisClientOptions(
  url: ConnectionUrl,
  lookup: LookupFunction,
  name: string,
  connectTimeoutMs: number,
  everReady: () => boolean,
  reconnectAttempts = RECONNECT_ATTEMPTS,
): RedisClientOptions {
  const broker = url.brokers[0];
  // The first connect fails at once (the pool backs off); a drop later is retried a few
  // times, 50 ms doubling to 1 s, then the client ends and the pool opens a new one.
  const reconnectStrategy = (retries: number): number | false =>
    everReady() && retries < reconnectAttempts
      ? Math.min(50 * 2 ** retries, 1_000)
      : false;
  const common = {
    host: broker.host,
    port: broker.port,
    connectTimeout: connectTimeoutMs,
    reconnectStrategy,
    // net.connect calls it for a host name: the addresses it connects to are the ones
    // checked against WEBHOOK_ALLOWED_NETWORKS, with no second resolution.
    lookup,
  };
  const literal = parseIpHost(broker.host) !== undefined;
  return {
    socket: url.tls
      ? {
          ...common,
          tls: true,
          ...(literal ? {} : { servername: broker.host }),
        }
      : common,
    ...(url.username === undefined ? {} : { username: url.username }),
    ...(url.password === undefined ? {} : { password: url.password }),
    database: url.database ?? 0,
    name,
    // A command while disconnected fails at once instead of waiting for a reconnect
    // that may come after the attempt's deadline.
    disableOfflineQueue: true,
  };
}

/**
 * Opens one node-redis client per connection row. The script is loaded at open (SCRIPT
 * LOAD), so fires use EVALSHA; a server that lost it (restarted, SCRIPT FLUSH) answers
 * NOSCRIPT and the script is loaded again. Every client has an 'error' listener (without
 * one node-redis throws, and the process dies). When node-redis gives up reconnecting,
 * `onClosed` tells the pool, which discards the client.
 */
export class RedisStreamClientFactory
  implements BrokerClientFactory<RedisStreamClient>
{
  /** Set by whoever owns the pool: the client ended by itself (not by `close`). */
  onClosed: (
    connectionId: string,
    client: RedisStreamClient,
    reason: string,
  ) => void = () => undefined;
  private readonly clients = new WeakMap<
    RedisStreamClient,
    { redis: ReturnType<typeof createClient>; stopWatching: () => void }
  >();
  private readonly lookup: LookupFunction;

  constructor(private readonly options: RedisStreamClientFactoryOptions) {
    this.lookup = guardedLookup(options.policy);
  }

  async open(connection: ResolvedConnection): Promise<RedisStreamClient> {
    let ready = false;
    const redis = createClient(
      redisClientOptions(
        connection.url,
        this.lookup,
        this.options.name ?? 'scheduleman-scheduler',
        this.options.connectTimeoutMs ?? 5_000,
        () => ready,
        this.options.reconnectAttempts,
      ),
    );
    const client = new RedisConnectionClient(redis);
    const log = (msg: string, reason?: string): void => {
      this.options.logger?.warn({
        msg,
        connectionId: connection.id,
        type: 'redis',
        ...(reason === undefined ? {} : { reason }),
      });
    };
    // Only a client the pool holds reports its end; not a failed open, not a close.
    let watching = false;
    redis.on('error', (error: unknown) => {
      // Every failed reconnect emits one too; the state says what it means.
      if (watching) log('the Redis connection failed', errorMessage(error));
    });
    redis.on('reconnecting', () => {
      client.state = 'reconnecting';
    });
    redis.on('ready', () => {
      if (watching) log('the Redis connection is back');
      ready = true;
      client.state = 'up';
    });
    const ended = (): void => {
      client.state = 'reconnecting';
      if (!watching) return;
      watching = false;
      log('the Redis connection ended (node-redis stopped reconnecting)');
      this.onClosed(connection.id, client, 'the Redis connection ended');
    };
    redis.on('end', ended);
    redis.on('terminated', ended);
    try {
      await redis.connect();
      await redis.sendCommand(['SCRIPT', 'LOAD', XADD_ONCE_SCRIPT]);
    } catch (error) {
      if (redis.isOpen) redis.destroy();
      throw error;
    }
    this.clients.set(client, {
      redis,
      stopWatching: () => {
        watching = false;
      },
    });
    watching = true;
    return client;
  }

  state(client: RedisStreamClient): 'up' | 'reconnecting' {
    return client.state;
  }

  async close(client: RedisStreamClient): Promise<void> {
    const entry = this.clients.get(client);
    if (entry === undefined) return;
    entry.stopWatching();
    const { redis } = entry;
    if (!redis.isOpen) return;
    try {
      // Waits for the replies of commands already sent, then closes.
      await redis.close();
    } catch {
      redis.destroy();
    }
  }
}

/** Runs the script by its SHA, loading it again once if the server lost it. */
export async function runXaddOnce(
  redis: RedisCommands,
  stream: string,
  executionId: string,
  maxLen: number | undefined,
  fields: readonly string[],
): Promise<StreamAdd> {
  // One array per fire: the command as sent, kept for the one retry after NOSCRIPT.
  const command = [
    'EVALSHA',
    XADD_ONCE_SHA,
    '2',
    redisDedupKey(stream, executionId),
    stream,
    String(REDIS_DEDUP_WINDOW_SECONDS),
    maxLen === undefined ? '' : String(maxLen),
  ];
  for (const field of fields) command.push(field);
  let reply: unknown;
  try {
    reply = await redis.sendCommand(command);
  } catch (error) {
    if (!errorMessage(error).startsWith('NOSCRIPT')) throw error;
    await redis.sendCommand(['SCRIPT', 'LOAD', XADD_ONCE_SCRIPT]);
    reply = await redis.sendCommand(command);
  }
  if (
    !Array.isArray(reply) ||
    typeof reply[0] !== 'string' ||
    typeof reply[1] !== 'number'
  )
    throw new Error('unexpected reply to the XADD script');
  return { id: reply[0], duplicate: reply[1] === 1 };
}

class RedisConnectionClient implements RedisStreamClient {
  state: 'up' | 'reconnecting' = 'up';

  constructor(private readonly redis: RedisCommands) {}

  addOnce(
    stream: string,
    executionId: string,
    maxLen: number | undefined,
    fields: readonly string[],
  ): Promise<StreamAdd> {
    return runXaddOnce(this.redis, stream, executionId, maxLen, fields);
  }
}
