import type { ScheduleSpec } from './api';

/** The zone a schedule's wall times are read in: cron's timezone; UTC for one-shots. */
export function scheduleZone(spec: ScheduleSpec): string {
  return spec.type === 'cron' ? (spec.timezone ?? 'UTC') : 'UTC';
}

/** `cron 0 9 * * * (Europe/Paris)`, `at <ISO>`, `delay PT5M`. */
export function describeSpec(spec: ScheduleSpec): string {
  switch (spec.type) {
    case 'cron':
      return `cron ${spec.expression ?? ''} (${scheduleZone(spec)})`;
    case 'at':
      return `at ${spec.at ?? ''}`;
    case 'delay':
      return `delay ${spec.delay ?? ''}`;
  }
}
