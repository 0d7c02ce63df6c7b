import { Injectable } from '@nestjs/common';
import {
  checkTriggerConnection,
  connectionIdOf,
  type TriggerSpec,
} from '@scheduleman/domain';
import type { Queryable } from '../schedules/schedules.repository';
import { ConnectionsRepository } from './connections.repository';

/**
 * What SchedulesService asks about the connection a trigger names (`connectionId`):
 * for any trigger type, after the trigger's definition has parsed it, so the broker
 * definitions check shapes and this checks the database.
 */
@Injectable()
export class ConnectionUsage {
  constructor(private readonly connections: ConnectionsRepository) {}

  /**
   * The trigger's `connectionId` (a 400 naming `trigger.connectionId` unless it is a
   * UUID), written back in lower case so that the stored id equals the connection's;
   * undefined when the trigger names none.
   */
  connectionIdOf(trigger: TriggerSpec): string | undefined {
    const id = connectionIdOf(trigger);
    if (id !== undefined) Object.assign(trigger, { connectionId: id });
    return id;
  }

  /**
   * The connection must exist, belong to the schedule's owner and be of the trigger's
   * type (else a 400 naming `trigger.connectionId`; another owner's reads as missing).
   * Share-locked until `tx` commits, so a concurrent DELETE /connections/:id waits for
   * this schedule and then sees it (LOCK_CONNECTION_FOR_USE).
   */
  async require(
    tx: Queryable,
    schedule: { trigger: TriggerSpec; owner: string | null },
    connectionId: string,
  ): Promise<void> {
    const connection = await this.connections.lockForUse(tx, connectionId);
    checkTriggerConnection(
      schedule.trigger,
      connectionId,
      schedule.owner,
      connection,
    );
  }
}
