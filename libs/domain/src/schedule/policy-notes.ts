import { catchUpDeadline } from './catch-up-window';
import { type Calendar, describeExclusion, findExclusion } from './exclusions';
import { flexibleOffsetMs } from './flexible-window';
import { parseIsoDuration } from './iso-time';
import type { PreviewItem } from './occurrence-notes';
import { describeDuration } from './policy-duration';
import type { SchedulePolicies } from './schedule-policies';
import { zoneOffsetMs } from './time-zone';

/**
 * The preview's notes on the time policies, added after occurrence-notes.ts has
 * explained the occurrences themselves (DST, short months): which occurrences will not
 * fire and why (`skipped`), when a flexible window fires one (`firesAt`), and what
 * the run-time policies (catch-up window, overlap) would do to it. The occurrences are
 * unchanged: `at` stays the scheduled time, which names the occurrence.
 */
export interface PolicyPreviewItem extends PreviewItem {
  /** Why it will not fire: a skip reason of the ledger, or `paused` (not recorded as a row). */
  skipped?: 'exclusion' | 'skip_next' | 'paused';
  /** When it fires, when that is not `at` (a flexible window). */
  firesAt?: string;
}

export interface PolicyPreviewContext {
  /** The schedule's zone (the cron's timezone; UTC for one-shots). */
  zone: string;
  /** The calendars `calendarIds` names, in that order. */
  calendars: readonly Pick<Calendar, 'id' | 'name' | 'exclusions'>[];
  /** The schedule the offsets of a flexible window belong to; without it they are unknown. */
  scheduleId?: string;
  /** The occurrence skip-next marked, for a stored schedule. */
  skipNextAt?: Date | null;
}

export function addPolicyNotes(
  items: readonly PreviewItem[],
  policies: SchedulePolicies,
  context: PolicyPreviewContext,
): PolicyPreviewItem[] {
  return items.map((item) => {
    const at = new Date(item.at);
    const notes = [...item.notes];
    const skip = skipNote(at, policies, context);
    if (skip) {
      notes.push(skip.note);
      return { at: item.at, notes, skipped: skip.reason };
    }
    const result: PolicyPreviewItem = { at: item.at, notes };
    let promised = at;
    if (policies.flexibleWindow !== null) {
      const window = describeDuration(
        parseIsoDuration(policies.flexibleWindow, 'flexibleWindow'),
      );
      if (context.scheduleId === undefined) {
        const end = new Date(
          at.getTime() +
            parseIsoDuration(policies.flexibleWindow, 'flexibleWindow'),
        );
        notes.push(
          `fires at one instant from ${wallTime(at, context.zone)} to ${wallTime(end, context.zone)}, within its ${window} flexible window; the instant is fixed by the schedule's id (send scheduleId to see it)`,
        );
      } else {
        const offset = flexibleOffsetMs(
          context.scheduleId,
          at,
          policies.flexibleWindow,
        );
        promised = new Date(at.getTime() + offset);
        result.firesAt = promised.toISOString();
        notes.push(
          `fires at ${wallTime(promised, context.zone)} (${promised.toISOString()}), ${describeDuration(offset)} into its ${window} flexible window`,
        );
      }
    }
    const deadline = catchUpDeadline(promised, policies.catchUpWindow);
    if (deadline && policies.catchUpWindow !== null)
      notes.push(
        `if not fired by ${wallTime(deadline, context.zone)} (${deadline.toISOString()}), it is skipped: catch-up window of ${describeDuration(parseIsoDuration(policies.catchUpWindow, 'catchUpWindow'))}`,
      );
    if (policies.overlapPolicy === 'skip')
      notes.push(
        'skipped if the previous execution has not finished by then (overlap policy skip)',
      );
    if (policies.overlapPolicy === 'buffer_one')
      notes.push(
        'waits for the previous execution to finish if it has not (overlap policy buffer_one); skipped if another occurrence is already waiting',
      );
    return result;
  });
}

function skipNote(
  at: Date,
  policies: SchedulePolicies,
  context: PolicyPreviewContext,
): { reason: NonNullable<PolicyPreviewItem['skipped']>; note: string } | null {
  const until = policies.pausedUntil;
  if (until && at.getTime() < until.getTime())
    return {
      reason: 'paused',
      note: `paused until ${wallTime(until, context.zone)} (${until.toISOString()}): does not fire`,
    };
  const found = findExclusion(
    at,
    { exclusions: policies.exclusions, calendars: context.calendars },
    context.zone,
  );
  if (found) {
    const period = describeExclusion(found.exclusion);
    const by = found.calendar
      ? `calendar '${found.calendar.name}'`
      : `exclusions[${policies.exclusions.indexOf(found.exclusion)}]`;
    return {
      reason: 'exclusion',
      note: `excluded by ${by} (${period}): skipped`,
    };
  }
  if (context.skipNextAt && context.skipNextAt.getTime() === at.getTime())
    return {
      reason: 'skip_next',
      note: 'marked by skip-next: skipped',
    };
  return null;
}

/** `at` on the zone's wall clock: "2026-12-25 02:30:41 +01:00" (seconds only when not 0). */
function wallTime(at: Date, zone: string): string {
  const offset = zoneOffsetMs(zone, at.getTime());
  const text = new Date(at.getTime() + offset).toISOString();
  const time =
    text.slice(17, 23) === '00.000' ? text.slice(11, 16) : text.slice(11, 19);
  const minutes = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${text.slice(0, 10)} ${time} ${sign}${hh}:${mm}`;
}
