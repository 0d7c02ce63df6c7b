/**
 * Multi-provider token: every TriggerProvider the scheduler knows, collected into an
 * array for the TriggerRegistry (see triggers.module.ts).
 */
export const TRIGGER_PROVIDERS = Symbol('TRIGGER_PROVIDERS');
