import type { Page } from '../contracts/schedule.contract';
import type { AuditActor, AuditEvent } from './audit-event';

/**
 * A schedule's history (`GET /schedules/:id/history`): the changes made to it, read
 * from the audit log (one source: the event is written by the statement of the change).
 * A pause, a resume and an edit are recorded here, with the note given with them,
 * never as one row per occurrence that did not fire while the schedule was paused.
 */
export const SCHEDULE_HISTORY_ACTIONS = [
  'created',
  'updated',
  'paused',
  'resumed',
  'triggered',
] as const;
export type ScheduleHistoryAction = (typeof SCHEDULE_HISTORY_ACTIONS)[number];

/** Longest note accepted on pause and resume, in characters. */
export const MAX_NOTE_LENGTH = 500;

export interface ScheduleHistoryActor {
  /** The API key that made the change; null for ADMIN_API_KEY or with AUTH_DISABLED. */
  keyId: string | null;
  /** That key's owner; null for ADMIN_API_KEY or with AUTH_DISABLED. */
  owner: string | null;
  /**
   * Only on a change no key made: the scheduler that made it (a pausedUntil that ended
   * resumes the schedule by itself, recorded by the scheduler that resumed it).
   */
  scheduler?: string;
}

export interface ScheduleHistoryEntry {
  /** When the change was committed (its transaction's time, ISO 8601 UTC). */
  at: string;
  action: ScheduleHistoryAction;
  actor: ScheduleHistoryActor;
  /** The note given with a pause or a resume; null when none was. */
  note: string | null;
  /** For `updated`: the names of the fields the edit sent (never their values). */
  changes?: string[];
}

export type ScheduleHistoryResponse = Page<ScheduleHistoryEntry>;

/** The details of a pause or resume event that carries `note` (none when it is absent or empty). */
export function noteDetails(note: string | undefined): { note?: string } {
  return note === undefined || note === '' ? {} : { note };
}

/** A `schedule.*` audit event as a history entry; null for actions outside the history. */
export function historyEntryOf(
  event: Pick<AuditEvent, 'at' | 'action' | 'details'> & AuditActor,
): ScheduleHistoryEntry | null {
  const action = event.action.startsWith('schedule.')
    ? event.action.slice('schedule.'.length)
    : '';
  if (!(SCHEDULE_HISTORY_ACTIONS as readonly string[]).includes(action))
    return null;
  const note = event.details.note;
  const fields = event.details.fields;
  return {
    at: event.at,
    action: action as ScheduleHistoryAction,
    actor: {
      keyId: event.actorKeyId,
      owner: event.actorOwner,
      ...(event.details.by === 'scheduler' &&
      typeof event.details.schedulerId === 'string'
        ? { scheduler: event.details.schedulerId }
        : {}),
    },
    note: typeof note === 'string' ? note : null,
    ...(action === 'updated' && Array.isArray(fields)
      ? { changes: [...(fields as readonly string[])] }
      : {}),
  };
}
