import { ConflictError } from '@scheduleman/domain';

/** A request that is valid but impossible in the schedule's current state; `field` names what conflicts. */
export class ScheduleConflictError extends ConflictError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
