import { ValidationError } from '../errors';
import type { TriggerSpecBase } from '../trigger/trigger-spec';
import {
  connectionTypeForTrigger,
  type ConnectionType,
} from './connection-type';

/**
 * A schedule may use a connection only when it exists, belongs to the schedule's owner
 * and is of the trigger's type. The API checks it after parsing any trigger that has a
 * `connectionId`, whatever its definition (the broker definitions check shapes only;
 * this needs the database): SchedulesService looks the connection up, then calls
 * checkTriggerConnection.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the check needs of a stored connection. */
export interface ConnectionRef {
  type: ConnectionType;
  owner: string | null;
}

/**
 * The `connectionId` of a parsed trigger, in lower case, or undefined when it has none.
 * Anything but a UUID string is a 400 naming `<field>.connectionId` (the database
 * indexes it as a uuid, so it must be one before any query).
 */
export function connectionIdOf(
  trigger: TriggerSpecBase,
  field = 'trigger',
): string | undefined {
  if (!Object.hasOwn(trigger, 'connectionId')) return undefined;
  const id: unknown = (trigger as { connectionId?: unknown }).connectionId;
  if (id === undefined) return undefined;
  if (typeof id !== 'string' || !UUID.test(id))
    throw new ValidationError(
      `${field}.connectionId`,
      'must be the id of a connection (a UUID, from POST /connections)',
    );
  return id.toLowerCase();
}

/**
 * Throws a 400 naming `<field>.connectionId` unless `connection` (looked up by
 * `connectionId`, undefined when there is none) may serve `trigger` for a schedule of
 * `owner`. Another owner's connection reads exactly like a missing one.
 */
export function checkTriggerConnection(
  trigger: TriggerSpecBase,
  connectionId: string,
  owner: string | null,
  connection: ConnectionRef | undefined,
  field = 'trigger',
): void {
  const path = `${field}.connectionId`;
  const expected = connectionTypeForTrigger(trigger.type);
  if (expected === undefined)
    throw new ValidationError(
      path,
      `a "${trigger.type}" trigger takes no connection`,
    );
  if (connection === undefined || connection.owner !== owner)
    throw new ValidationError(
      path,
      `connection ${connectionId} not found (a schedule can use only connections of its own owner)`,
    );
  if (connection.type !== expected)
    throw new ValidationError(
      path,
      `connection ${connectionId} is of type "${connection.type}"; a "${trigger.type}" trigger needs a "${expected}" connection`,
    );
}
