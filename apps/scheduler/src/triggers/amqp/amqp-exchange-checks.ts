import { errorMessage } from '@scheduleman/domain';
import type { Channel, ChannelModel } from 'amqplib';
import { AMQP_REPLY, brokerReplyText, exchangeNamedIn } from './amqp-options';

/** How long an exchange seen missing or refused is answered so without asking again. */
export const EXCHANGE_NEGATIVE_TTL_MS = 5_000;
/** Exchanges remembered per connection; beyond, the memory starts afresh. */
const MAX_REMEMBERED_EXCHANGES = 1_000;

export type ExchangeState =
  | { state: 'exists' }
  | {
      state: 'missing' | 'refused';
      code: number;
      reason: string;
      untilMs: number;
    };

/**
 * What one connection knows of the exchanges it publishes to. A publish to a missing
 * exchange closes the whole publish channel (404), failing the confirms of every other
 * message in flight on it; so before the first publish to an exchange it is checked
 * with a passive declare, on a channel of its own, and the answer is remembered:
 * "exists" until a channel error says otherwise, "missing" or "refused" for
 * EXCHANGE_NEGATIVE_TTL_MS (the exchange may be created, or the permission granted).
 */
export class ExchangeChecks {
  private checking?: Promise<Channel>;
  private checkTail: Promise<unknown> = Promise.resolve();
  private readonly exchanges = new Map<string, ExchangeState>();
  private readonly checks = new Map<
    string,
    Promise<ExchangeState | undefined>
  >();

  constructor(
    private readonly model: Pick<ChannelModel, 'createChannel'>,
    private readonly nowMs: () => number,
  ) {}

  /** A channel closed with 404 or 403 naming an exchange: later publishes to it are answered without sending. */
  learnFromChannelError(cause: { code?: number; message: string }): void {
    const named = exchangeNamedIn(cause.message);
    if (named === undefined) return;
    if (
      cause.code === AMQP_REPLY.notFound ||
      cause.code === AMQP_REPLY.accessRefused
    )
      this.remember(named, {
        state: cause.code === AMQP_REPLY.notFound ? 'missing' : 'refused',
        code: cause.code,
        reason: brokerReplyText(cause.message),
        untilMs: this.nowMs() + EXCHANGE_NEGATIVE_TTL_MS,
      });
  }

  /** What is known of an exchange, checking it (once for concurrent callers) if need be. */
  stateOf(name: string): Promise<ExchangeState | undefined> {
    const known = this.exchanges.get(name);
    if (
      known !== undefined &&
      (known.state === 'exists' || this.nowMs() < known.untilMs)
    )
      return Promise.resolve(known);
    let check = this.checks.get(name);
    if (check === undefined) {
      // One check at a time: a 404 closes the checking channel, which would fail the
      // checks queued behind it on that channel.
      check = this.checkTail.then(() => this.checkExchange(name));
      this.checkTail = check;
      this.checks.set(name, check);
      void check.finally(() => this.checks.delete(name));
    }
    return check;
  }

  /** A passive declare: exists, missing (404), or undefined when it could not tell. */
  private async checkExchange(
    name: string,
  ): Promise<ExchangeState | undefined> {
    let channel: Channel;
    try {
      channel = await this.checkChannel();
      await channel.checkExchange(name);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== AMQP_REPLY.notFound) return undefined; // the publish will tell
      const missing: ExchangeState = {
        state: 'missing',
        code,
        reason: brokerReplyText(errorMessage(error)),
        untilMs: this.nowMs() + EXCHANGE_NEGATIVE_TTL_MS,
      };
      this.remember(name, missing);
      return missing;
    }
    const exists: ExchangeState = { state: 'exists' };
    this.remember(name, exists);
    return exists;
  }

  private checkChannel(): Promise<Channel> {
    if (this.checking !== undefined) return this.checking;
    const opening = this.model.createChannel().then((channel) => {
      // A failed check closes the channel (404): the next check opens another.
      channel.on('error', () => undefined);
      channel.on('close', () => {
        if (this.checking === opening) this.checking = undefined;
      });
      return channel;
    });
    opening.catch(() => {
      if (this.checking === opening) this.checking = undefined;
    });
    this.checking = opening;
    return opening;
  }

  private remember(name: string, state: ExchangeState): void {
    if (
      this.exchanges.size >= MAX_REMEMBERED_EXCHANGES &&
      !this.exchanges.has(name)
    )
      this.exchanges.clear();
    this.exchanges.set(name, state);
  }
}
