/** The schedules that name a resource (a connection, a calendar): the first few ids and how many. */
export interface SchedulesUsing {
  scheduleIds: string[];
  total: number;
}

/**
 * The message of the 409 refusing to delete a resource that schedules still name:
 * `the <what> is used by 3 schedules (a, b, c); <remedy>`, listing only the first ids
 * when there are more.
 */
export function usedBySchedulesMessage(
  what: string,
  users: SchedulesUsing,
  remedy: string,
): string {
  const listed =
    users.total > users.scheduleIds.length
      ? `the first ${users.scheduleIds.length}: `
      : '';
  const noun = users.total === 1 ? 'schedule' : 'schedules';
  return `the ${what} is used by ${users.total} ${noun} (${listed}${users.scheduleIds.join(', ')}); ${remedy}`;
}
