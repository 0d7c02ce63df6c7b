import {
  type BrokerMessage,
  type BrokerTriggerSpec,
  type BrokerTriggerType,
  buildBrokerMessage,
  connectionTypeForTrigger,
  type FireOutcome,
  type FireRequest,
  isBrokerTrigger,
  renderBrokerNames,
  templateVarsOf,
} from '@scheduleman/domain';
import type { DeliverySigner } from '../signing/delivery-signer';
import type { BrokerClientPool } from './broker-client-pool';
import type { ConnectionSource, ResolvedConnection } from './connection-source';

/** Everything a broker provider needs to publish one attempt. */
export interface PreparedPublish<S extends BrokerTriggerSpec, C> {
  trigger: S;
  connection: ResolvedConnection;
  client: C;
  message: BrokerMessage;
}

/**
 * The steps every broker provider takes before it publishes, in one place: the stored
 * trigger is checked, its connection read (cached) and checked against the schedule's
 * owner and the trigger's type, the connection's client taken from the provider's pool
 * (opened if needed), its templated names and the message rendered for this attempt,
 * and the message built and signed (broker-message.ts). Each
 * failure is an outcome: a missing or foreign connection, a wrong type or an unusable
 * URL is permanent; a broker that cannot be reached now is retryable.
 *
 * A connection that no longer exists has its client closed here: deletion reaches the
 * pool within CONNECTION_CACHE_MS, through the first attempt that needs it.
 */
export class BrokerFiring {
  constructor(
    private readonly connections: ConnectionSource,
    private readonly signer: DeliverySigner,
  ) {}

  async prepare<S extends BrokerTriggerSpec, C>(
    request: FireRequest,
    type: S['type'] & BrokerTriggerType,
    pool: BrokerClientPool<C>,
    signal: AbortSignal,
  ): Promise<PreparedPublish<S, C> | FireOutcome> {
    const trigger = request.trigger;
    if (trigger.type !== type || !isBrokerTrigger(trigger))
      return {
        kind: 'permanent',
        error: `invalid ${type} trigger: connectionId is missing`,
      };
    const id = trigger.connectionId;
    let stored;
    try {
      stored = await this.connections.get(id);
    } catch (error) {
      return {
        kind: 'retryable',
        error: error instanceof Error ? error.message : String(error),
      };
    }
    if (stored === undefined) {
      await pool.close(id);
      return notFound(id);
    }
    // Another owner's connection reads exactly like a missing one.
    if (stored.owner !== request.scheduleOwner) return notFound(id);
    if ('unusable' in stored)
      return {
        kind: 'permanent',
        error: `connection ${id} cannot be used: ${stored.unusable}`,
      };
    if (stored.type !== connectionTypeForTrigger(type))
      return {
        kind: 'permanent',
        error: `connection ${id} is of type "${stored.type}"; a "${type}" trigger needs a "${String(connectionTypeForTrigger(type))}" connection`,
      };
    const vars = templateVarsOf(request);
    const rendered = renderBrokerNames(trigger, vars);
    if ('invalid' in rendered)
      return { kind: 'permanent', error: rendered.invalid };
    const signing = await this.signer.signingFor(request.scheduleOwner);
    if ('error' in signing) return { kind: 'retryable', error: signing.error };
    const acquired = await pool.acquire(stored, signal);
    if ('error' in acquired)
      return {
        kind: acquired.permanent ? 'permanent' : 'retryable',
        error: acquired.error,
      };
    const message = buildBrokerMessage(request, rendered, signing, vars);
    if ('invalid' in message)
      return { kind: 'permanent', error: message.invalid };
    return {
      trigger: rendered as S,
      connection: stored,
      client: acquired.client,
      message,
    };
  }
}

function notFound(id: string): FireOutcome {
  return {
    kind: 'permanent',
    error: `connection ${id} not found (deleted, or not the schedule owner's)`,
  };
}
