/** Injection token of the validated SchedulerConfig (see scheduler.config.ts). */
export const SCHEDULER_CONFIG = Symbol('SCHEDULER_CONFIG');
