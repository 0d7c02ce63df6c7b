import type { LoggerService } from '@nestjs/common';
import { errorMessage } from '@scheduleman/domain';
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import { ExchangeChecks } from './amqp-exchange-checks';
import { AMQP_REPLY, brokerReplyText, exchangeNamedIn } from './amqp-options';

/** What became of one publish, as the broker answered it (amqp-outcome.ts maps it). */
export type PublishResult =
  | { kind: 'acked' }
  /** basic.return before the ack: no queue took the message (mandatory). */
  | { kind: 'returned'; replyCode: number; replyText: string }
  | { kind: 'nacked' }
  /** The broker closed the channel over this message's exchange: 404 missing, 403 refused. */
  | { kind: 'refused'; code: number; reason: string }
  /**
   * The channel closed before the confirm, for another reason (or another message's);
   * `unsent` when it was closing already and the message never left.
   */
  | { kind: 'channel-closed'; reason: string; unsent?: true }
  | { kind: 'connection-lost'; reason: string }
  /** The broker blocks publishers (a resource alarm): not sent. */
  | { kind: 'blocked'; reason: string };

export interface AmqpPublish {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Options.Publish & { messageId: string };
}

export interface AmqpPublisherOptions {
  /** Called once when the connection breaks (not when closed by `close`). */
  onBroken?: (reason: string) => void;
  logger?: LoggerService;
  /** Monotonic ms, for the exchange cache. Default performance.now. */
  nowMs?: () => number;
  /** How long `close` waits for confirms still in flight. */
  closeGraceMs?: number;
}

interface Pending {
  exchange: string;
  returned?: { replyCode: number; replyText: string };
}

/** One confirm channel and the publishes in flight on it. */
interface PublishChannel {
  channel: ConfirmChannel;
  /** By messageId, oldest first: a basic.return names its message only by its properties. */
  inFlight: Map<string, Pending[]>;
  /** Why the broker closed it (its channel.close), kept for the confirms it fails. */
  closeError?: { code?: number; message: string };
}

/**
 * One AMQP connection of one connection row (the pool's client), with a single confirm
 * channel that every fire publishes on: publishes are not RPCs, so many concurrent fires
 * pipeline on it and their confirms come back in any order. After any channel error or
 * close a fresh channel is opened by the next publish; the connection is kept.
 *
 * Traps handled here (docs/triggers.md, "The AMQP provider"): every connection and channel has an
 * `error` handler (amqplib re-raises an unhandled channel error as a connection error
 * that crashes the process); an unroutable message is confirmed too, so "acked with no
 * basic.return" is success, the return arriving first and matched by messageId; a
 * publish to a missing exchange closes the whole channel (404), failing every confirm in
 * flight on it, so exchanges are checked before the first publish to them
 * (amqp-exchange-checks.ts), and a close that names an exchange fails only the
 * publishes to that exchange for good.
 */
export class AmqpPublisher {
  private publishing?: Promise<PublishChannel>;
  private current?: PublishChannel;
  private readonly exchanges: ExchangeChecks;
  private lost?: string;
  private blockedReason?: string;
  private closed = false;
  private inFlight = 0;
  private readonly idleWaiters = new Set<() => void>();

  constructor(
    private readonly model: ChannelModel,
    private readonly options: AmqpPublisherOptions = {},
  ) {
    this.exchanges = new ExchangeChecks(
      model,
      options.nowMs ?? (() => performance.now()),
    );
    model.on('error', (error: unknown) => {
      this.lost ??= errorMessage(error);
    });
    model.on('close', (error?: unknown) => {
      this.lost ??=
        error === undefined ? 'the connection was closed' : errorMessage(error);
      if (!this.closed) this.options.onBroken?.(this.lost);
    });
    model.on('blocked', (reason: string) => {
      this.blockedReason = reason;
    });
    model.on('unblocked', () => {
      this.blockedReason = undefined;
    });
  }

  /** Why the connection is gone, or undefined while it is usable. */
  get broken(): string | undefined {
    return this.closed ? 'the client was closed' : this.lost;
  }

  /** Opens the confirm channel, so a broken broker shows at open, not at the first fire. */
  async ready(): Promise<void> {
    await this.publishChannel();
  }

  /** Publishes one message and waits for the broker's answer. Never rejects. */
  async publish(request: AmqpPublish): Promise<PublishResult> {
    const broken = this.broken;
    if (broken !== undefined)
      return { kind: 'connection-lost', reason: broken };
    if (this.blockedReason !== undefined)
      return { kind: 'blocked', reason: this.blockedReason };
    this.inFlight += 1;
    try {
      return await this.publishChecked(request);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of this.idleWaiters) wake();
    }
  }

  /** Closes the connection, first letting confirms in flight arrive (briefly). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight > 0)
      await this.idleOrAfter(this.options.closeGraceMs ?? 1_000);
    if (this.lost !== undefined) return;
    await this.model.close();
  }

  private async publishChecked(request: AmqpPublish): Promise<PublishResult> {
    if (request.exchange !== '') {
      const known = await this.exchanges.stateOf(request.exchange);
      if (known !== undefined && known.state !== 'exists')
        return { kind: 'refused', code: known.code, reason: known.reason };
    }
    let target: PublishChannel;
    try {
      target = await this.publishChannel();
    } catch (error) {
      if (this.lost !== undefined)
        return { kind: 'connection-lost', reason: this.lost };
      return {
        kind: 'channel-closed',
        reason: `no channel could be opened: ${errorMessage(error)}`,
        unsent: true,
      };
    }
    return new Promise<PublishResult>((resolve) => {
      const id = request.options.messageId;
      const pending: Pending = { exchange: request.exchange };
      const list = target.inFlight.get(id);
      if (list === undefined) target.inFlight.set(id, [pending]);
      else list.push(pending);
      const done = (result: PublishResult) => {
        forget(target, id, pending);
        resolve(result);
      };
      try {
        target.channel.publish(
          request.exchange,
          request.routingKey,
          request.content,
          request.options,
          (error: unknown) => {
            done(this.settle(target, pending, error));
          },
        );
      } catch (error) {
        // A channel closing at this very moment (IllegalOperationError): nothing was sent.
        done({
          kind: 'channel-closed',
          reason: errorMessage(error),
          unsent: true,
        });
      }
    });
  }

  /** The outcome of a confirm callback: null = ack, 'message nacked', else the channel closed. */
  private settle(
    target: PublishChannel,
    pending: Pending,
    error: unknown,
  ): PublishResult {
    if (error === null || error === undefined)
      return pending.returned === undefined
        ? { kind: 'acked' }
        : { kind: 'returned', ...pending.returned };
    if (errorMessage(error) === 'message nacked') return { kind: 'nacked' };
    if (this.lost !== undefined)
      return { kind: 'connection-lost', reason: this.lost };
    const cause = target.closeError;
    if (cause === undefined)
      return { kind: 'channel-closed', reason: 'the channel was closed' };
    const named = exchangeNamedIn(cause.message);
    if (
      (cause.code === AMQP_REPLY.notFound ||
        cause.code === AMQP_REPLY.accessRefused) &&
      named === pending.exchange
    )
      return {
        kind: 'refused',
        code: cause.code,
        reason: brokerReplyText(cause.message),
      };
    return {
      kind: 'channel-closed',
      reason: `the broker closed the channel: ${brokerReplyText(cause.message)}`,
    };
  }

  private publishChannel(): Promise<PublishChannel> {
    this.publishing ??= this.openPublishChannel();
    return this.publishing;
  }

  private async openPublishChannel(): Promise<PublishChannel> {
    let channel: ConfirmChannel;
    try {
      channel = await this.model.createConfirmChannel();
    } catch (error) {
      this.publishing = undefined;
      throw error;
    }
    const target: PublishChannel = { channel, inFlight: new Map() };
    this.current = target;
    channel.on('error', (error: unknown) => {
      const code = (error as { code?: unknown }).code;
      const message = errorMessage(error);
      target.closeError = {
        code: typeof code === 'number' ? code : undefined,
        message,
      };
      this.exchanges.learnFromChannelError(target.closeError);
      this.options.logger?.warn({
        msg: 'the broker closed the publish channel; the next publish opens another',
        reason: brokerReplyText(message),
      });
    });
    channel.on('close', () => {
      if (this.current === target) {
        this.current = undefined;
        this.publishing = undefined;
      }
    });
    channel.on('return', (message: Message) => {
      const id: unknown = message.properties.messageId;
      if (typeof id !== 'string') return;
      const waiting = target.inFlight.get(id)?.find((p) => !p.returned);
      if (waiting === undefined) return;
      const fields = message.fields as unknown as {
        replyCode?: number;
        replyText?: string;
      };
      waiting.returned = {
        replyCode: fields.replyCode ?? AMQP_REPLY.noRoute,
        replyText: fields.replyText ?? 'NO_ROUTE',
      };
    });
    return target;
  }

  private idleOrAfter(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.idleWaiters.add(wake);
    });
  }
}

function forget(target: PublishChannel, id: string, pending: Pending): void {
  const list = target.inFlight.get(id);
  if (list === undefined) return;
  const index = list.indexOf(pending);
  if (index !== -1) list.splice(index, 1);
  if (list.length === 0) target.inFlight.delete(id);
}
