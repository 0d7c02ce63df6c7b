import { createClient } from 'redis';
import { sleep, TEST_BROKERS } from '@scheduleman/testkit';
import type { BrokerTarget } from './broker-target';
import { notListening } from './reachable';

/**
 * Redis Streams: the bare client is a plain XADD per message (its reply is what the
 * provider calls initiated), on one connection, pipelined by node-redis. The run's
 * stream is read back with XRANGE after the fact and deleted at the end.
 */
export function redisTarget(url = TEST_BROKERS.redis.url): BrokerTarget {
  return {
    name: 'redis-stream',
    connectionType: 'redis',
    url,
    unavailable: () => notListening(url, 'redis'),
    async open(tag) {
      const client = createClient({ url });
      client.on('error', () => undefined);
      await client.connect();
      const stream = `bench-brokers-${tag}`;
      let after = '-';
      return {
        async publish(body, id) {
          await client.xAdd(stream, '*', {
            body: body.toString('utf8'),
            'Idempotency-Key': id,
          });
        },
        trigger: (connectionId) => ({
          type: 'redis-stream',
          connectionId,
          stream,
        }),
        async drain(expected, timeoutMs) {
          const deadline = performance.now() + timeoutMs;
          const bodies: string[] = [];
          for (;;) {
            const entries =
              (await client.xRange(stream, after, '+', { COUNT: 10_000 })) ??
              [];
            for (const entry of entries) {
              const fields = entry.message as unknown as Record<string, string>;
              bodies.push(fields['body'] ?? '');
              after = `(${entry.id}`;
            }
            if (bodies.length >= expected || performance.now() > deadline)
              return bodies;
            if (entries.length === 0) await sleep(100);
          }
        },
        async close() {
          await client.del(stream).catch(() => undefined);
          await client.quit().catch(() => undefined);
        },
      };
    },
  };
}
