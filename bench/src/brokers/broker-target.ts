import type { ConnectionType } from '@scheduleman/domain';

/**
 * One broker of `npm run bench -- --brokers`: how its bare client publishes, what
 * trigger makes scheduleman publish to the same place, and how the bench reads back what
 * arrived there. Every destination (queue, stream, topic) is the run's own, created by
 * `open` and deleted by `close`.
 */
export interface BrokerTarget {
  /** The row's name: the trigger type. */
  readonly name: string;
  readonly connectionType: ConnectionType;
  /** The URL of the connection the bench creates with POST /connections. */
  readonly url: string;
  /** Why the bench cannot run this broker here (a missing tool, nothing listening), if so. */
  unavailable(): Promise<string | undefined>;
  open(tag: string): Promise<BrokerDestination>;
}

export interface BrokerDestination {
  /**
   * One publish by the bare client, settled when the broker confirms it: what "initiated"
   * means for scheduleman's provider of this broker (docs/triggers.md).
   */
  publish(body: Buffer, id: string): Promise<void>;
  /** The trigger of a schedule that publishes to this destination through `connectionId`. */
  trigger(connectionId: string): { type: string; [field: string]: unknown };
  /**
   * The bodies of the messages that arrived since the previous call, once `expected` are
   * there or after `timeoutMs`; the bench counts them by the `executionId` in the body.
   */
  drain(expected: number, timeoutMs: number): Promise<string[]>;
  /** Deletes the destination and closes the bench's own clients. */
  close(): Promise<void>;
}

/**
 * Collects bodies pushed by a live subscription (MQTT, AMQP consumers) for `drain`:
 * resolves as soon as `expected` bodies are buffered, else at the timeout.
 */
export class Inbox {
  private bodies: string[] = [];
  private waiter?: { expected: number; wake: () => void };

  push(body: string): void {
    this.bodies.push(body);
    if (this.waiter && this.bodies.length >= this.waiter.expected)
      this.waiter.wake();
  }

  async drain(expected: number, timeoutMs: number): Promise<string[]> {
    if (this.bodies.length < expected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, timeoutMs);
        function wake() {
          clearTimeout(timer);
          resolve();
        }
        this.waiter = { expected, wake };
      });
      this.waiter = undefined;
    }
    const taken = this.bodies;
    this.bodies = [];
    return taken;
  }
}
