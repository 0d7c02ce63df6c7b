/**
 * PostgreSQL NOTIFY channel on which the API tells the schedulers that work is due soon
 * (a schedule created, edited or resumed for the near future, or run now), so a 2-second
 * delay does not wait for the next poll. The payload is informative only: schedulers
 * react to any notification by claiming at once.
 */
export const WAKEUP_CHANNEL = 'scheduleman_wakeup';
