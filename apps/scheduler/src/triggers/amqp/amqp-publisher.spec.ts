import { EventEmitter } from 'node:events';
import type { ChannelModel } from 'amqplib';
import {
  type ConnectionUrl,
  parseConnectionUrl,
  LOOPBACK_NETWORKS,
  networkPolicyOf,
} from '@scheduleman/domain';
import { amqpConnectOptions, exchangeNamedIn } from './amqp-options';
import { outcomeForPrepare, outcomeForPublish } from './amqp-outcome';
import { type AmqpPublish, AmqpPublisher } from './amqp-publisher';

type Confirm = (error: unknown) => void;

/** A confirm channel that records publishes; the test answers them as the broker would. */
class FakeChannel extends EventEmitter {
  readonly published: {
    exchange: string;
    messageId: string;
    confirm: Confirm;
  }[] = [];
  checks: ((error?: Error & { code?: number }) => void)[] = [];
  closing = false;

  publish(
    exchange: string,
    _routingKey: string,
    _content: Buffer,
    options: { messageId: string },
    confirm: Confirm,
  ): boolean {
    if (this.listenerCount('close') === 0) throw new Error('no handlers');
    if (this.closing) throw new Error('Channel closing'); // amqplib's IllegalOperationError
    this.published.push({ exchange, messageId: options.messageId, confirm });
    return true;
  }

  checkExchange(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.checks.push((error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /** The broker's channel.close: error first, then every unconfirmed callback, as amqplib does. */
  closeByServer(code: number, text: string): void {
    const error = Object.assign(
      new Error(
        `Channel closed by server: ${String(code)} (X) with message "${text}"`,
      ),
      { code },
    );
    this.emit('error', error);
    for (const p of this.published.splice(0))
      p.confirm(new Error('channel closed'));
    this.emit('close');
  }

  returnMessage(messageId: string): void {
    this.emit('return', {
      fields: { replyCode: 312, replyText: 'NO_ROUTE' },
      properties: { messageId },
    });
  }
}

class FakeModel extends EventEmitter {
  readonly channels: FakeChannel[] = [];
  readonly checkChannels: FakeChannel[] = [];
  closed = 0;

  createConfirmChannel(): Promise<FakeChannel> {
    const channel = new FakeChannel();
    this.channels.push(channel);
    return Promise.resolve(channel);
  }

  createChannel(): Promise<FakeChannel> {
    const channel = new FakeChannel();
    this.checkChannels.push(channel);
    return Promise.resolve(channel);
  }

  close(): Promise<void> {
    this.closed += 1;
    return Promise.resolve();
  }

  get channel(): FakeChannel {
    const last = this.channels.at(-1);
    if (last === undefined) throw new Error('no channel yet');
    return last;
  }
}

function publishOf(messageId: string, exchange = ''): AmqpPublish {
  return {
    exchange,
    routingKey: 'jobs',
    content: Buffer.from('{}'),
    options: { messageId },
  };
}

/** Lets the client's awaits (channel open, checks) run. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('AmqpPublisher', () => {
  let model: FakeModel;
  let broken: string[];
  let client: AmqpPublisher;
  let now: number;

  beforeEach(async () => {
    model = new FakeModel();
    broken = [];
    now = 0;
    client = new AmqpPublisher(model as unknown as ChannelModel, {
      onBroken: (reason) => broken.push(reason),
      nowMs: () => now,
      closeGraceMs: 50,
    });
    await client.ready();
  });

  it('is delivered on an ack with no return, and pipelines concurrent publishes on one channel', async () => {
    const results = [
      client.publish(publishOf('a')),
      client.publish(publishOf('b')),
    ];
    await flush();
    expect(model.channels).toHaveLength(1);
    expect(model.channel.published.map((p) => p.messageId)).toEqual(['a', 'b']);
    // Confirms may come back in any order.
    model.channel.published[1].confirm(null);
    model.channel.published[0].confirm(null);
    expect(await Promise.all(results)).toEqual([
      { kind: 'acked' },
      { kind: 'acked' },
    ]);
  });

  it('reports a message returned before its ack as returned, matched by messageId, and the others as acked', async () => {
    const returned = client.publish(publishOf('lost'));
    const routed = client.publish(publishOf('kept'));
    await flush();
    model.channel.returnMessage('lost');
    for (const p of model.channel.published) p.confirm(null);

    expect(await returned).toEqual({
      kind: 'returned',
      replyCode: 312,
      replyText: 'NO_ROUTE',
    });
    expect(await routed).toEqual({ kind: 'acked' });
  });

  it('reports a nack as nacked', async () => {
    const result = client.publish(publishOf('a'));
    await flush();
    model.channel.published[0].confirm(new Error('message nacked'));
    expect(await result).toEqual({ kind: 'nacked' });
  });

  it('fails for good only the publishes to the exchange a 404 names, and opens a fresh channel for the next', async () => {
    const toMissing = client.publish(publishOf('m', 'gone'));
    await flush();
    model.checkChannels[0].checks[0](); // the passive check passed (deleted since)
    const toDefault = client.publish(publishOf('d'));
    await flush();
    model.channel.closeByServer(
      404,
      "NOT_FOUND - no exchange 'gone' in vhost '/'",
    );

    expect(await toMissing).toEqual({
      kind: 'refused',
      code: 404,
      reason: "NOT_FOUND - no exchange 'gone' in vhost '/'",
    });
    expect(await toDefault).toMatchObject({ kind: 'channel-closed' });

    // The next publish to it is answered from memory, without closing a channel again.
    expect(await client.publish(publishOf('m2', 'gone'))).toMatchObject({
      kind: 'refused',
      code: 404,
    });
    const next = client.publish(publishOf('d2'));
    await flush();
    expect(model.channels).toHaveLength(2);
    model.channel.published[0].confirm(null);
    expect(await next).toEqual({ kind: 'acked' });
    expect(broken).toEqual([]);
  });

  it('checks an exchange once, passively, and answers a missing one without publishing until the memory expires', async () => {
    const first = client.publish(publishOf('a', 'orders'));
    const second = client.publish(publishOf('b', 'orders'));
    await flush();
    expect(model.checkChannels[0].checks).toHaveLength(1);
    model.checkChannels[0].checks[0](
      Object.assign(
        new Error(
          `Operation failed: ExchangeDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no exchange 'orders' in vhost '/'"`,
        ),
        { code: 404 },
      ),
    );
    expect(await first).toMatchObject({ kind: 'refused', code: 404 });
    expect(await second).toMatchObject({ kind: 'refused', code: 404 });
    expect(model.channel.published).toHaveLength(0);

    model.checkChannels[0].emit('close'); // as the broker's 404 closes it

    now += 5_001; // created meanwhile: asked again, on a fresh channel
    const later = client.publish(publishOf('c', 'orders'));
    await flush();
    expect(model.checkChannels).toHaveLength(2);
    model.checkChannels[1].checks[0]();
    await flush();
    model.channel.published[0].confirm(null);
    expect(await later).toEqual({ kind: 'acked' });
  });

  it('reports a lost connection for what is in flight and what comes after, and tells the pool once', async () => {
    const inFlight = client.publish(publishOf('a'));
    await flush();
    model.emit('error', new Error('read ECONNRESET'));
    for (const p of model.channel.published.splice(0))
      p.confirm(new Error('channel closed'));
    model.emit('close', new Error('read ECONNRESET'));

    expect(await inFlight).toEqual({
      kind: 'connection-lost',
      reason: 'read ECONNRESET',
    });
    expect(await client.publish(publishOf('b'))).toEqual({
      kind: 'connection-lost',
      reason: 'read ECONNRESET',
    });
    expect(broken).toEqual(['read ECONNRESET']);
    expect(client.broken).toBe('read ECONNRESET');
  });

  it('reports a publish on a channel already closing as not sent', async () => {
    model.channel.closing = true;
    expect(await client.publish(publishOf('a'))).toEqual({
      kind: 'channel-closed',
      reason: 'Channel closing',
      unsent: true,
    });
  });

  it('does not publish while the broker blocks publishers', async () => {
    model.emit('blocked', 'low on memory');
    expect(await client.publish(publishOf('a'))).toEqual({
      kind: 'blocked',
      reason: 'low on memory',
    });
    model.emit('unblocked');
    const after = client.publish(publishOf('b'));
    await flush();
    model.channel.published[0].confirm(null);
    expect(await after).toEqual({ kind: 'acked' });
  });

  it('closes once, without telling the pool it broke', async () => {
    await client.close();
    await client.close();
    model.emit('close');
    expect(model.closed).toBe(1);
    expect(broken).toEqual([]);
    expect(await client.publish(publishOf('a'))).toMatchObject({
      kind: 'connection-lost',
    });
  });
});

describe('amqp outcomes', () => {
  const trigger = { exchange: '', routingKey: 'jobs' };

  it.each([
    [{ kind: 'acked' }, 'delivered'],
    [{ kind: 'returned', replyCode: 312, replyText: 'NO_ROUTE' }, 'permanent'],
    [{ kind: 'nacked' }, 'retryable'],
    [{ kind: 'refused', code: 404, reason: 'NOT_FOUND' }, 'permanent'],
    [{ kind: 'refused', code: 403, reason: 'ACCESS_REFUSED' }, 'permanent'],
    [{ kind: 'channel-closed', reason: 'x' }, 'retryable'],
    [{ kind: 'channel-closed', reason: 'x', unsent: true }, 'retryable'],
    [{ kind: 'connection-lost', reason: 'x' }, 'retryable'],
    [{ kind: 'blocked', reason: 'x' }, 'retryable'],
  ] as const)('maps %j to %s', (result, kind) => {
    expect(outcomeForPublish(result, trigger).kind).toBe(kind);
  });

  it('names the exchange and routing key of an unroutable message', () => {
    expect(
      outcomeForPublish(
        { kind: 'returned', replyCode: 312, replyText: 'NO_ROUTE' },
        { exchange: 'orders', routingKey: 'eu.created' },
      ),
    ).toEqual({
      kind: 'permanent',
      error:
        'unroutable: no queue is bound to exchange "orders" with routing key "eu.created" (312 NO_ROUTE)',
    });
  });

  it('fails for good an open the broker refused, and retries one that could not reach it', () => {
    expect(
      outcomeForPrepare({
        kind: 'retryable',
        error:
          'connection "r" cannot be opened: refused by the broker: access refused for user "u"',
      }).kind,
    ).toBe('permanent');
    expect(
      outcomeForPrepare({
        kind: 'retryable',
        error:
          'connection "r" cannot be opened: connect ECONNREFUSED 127.0.0.1:1',
      }).kind,
    ).toBe('retryable');
  });
});

describe('amqp options', () => {
  const policy = networkPolicyOf(LOOPBACK_NETWORKS);
  const parse = (url: string): ConnectionUrl =>
    parseConnectionUrl('amqp', url, policy);

  it('builds connect options from the parsed URL: vhost re-encoded, credentials decoded, tuning kept', () => {
    expect(
      amqpConnectOptions(
        parse(
          'amqps://app:p%40ss@127.0.0.1/a%2Fb%2541?heartbeat=5&frameMax=8192',
        ),
      ),
    ).toEqual({
      protocol: 'amqps',
      hostname: '127.0.0.1',
      port: 5671,
      vhost: 'a%2Fb%2541',
      username: 'app',
      password: 'p@ss',
      heartbeat: 5,
      frameMax: 8192,
    });
    expect(amqpConnectOptions(parse('amqp://127.0.0.1'))).toEqual({
      protocol: 'amqp',
      hostname: '127.0.0.1',
      port: 5672,
      vhost: '%2F',
    });
  });

  it('reads the exchange a RabbitMQ channel error names', () => {
    expect(
      exchangeNamedIn(
        `404 (NOT-FOUND) with message "NOT_FOUND - no exchange 'a.b' in vhost '/'"`,
      ),
    ).toBe('a.b');
    expect(
      exchangeNamedIn(
        `403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - cannot publish to internal exchange 'int' in vhost '/'"`,
      ),
    ).toBe('int');
    expect(
      exchangeNamedIn('PRECONDITION_FAILED - unknown delivery tag 1'),
    ).toBeUndefined();
  });
});
