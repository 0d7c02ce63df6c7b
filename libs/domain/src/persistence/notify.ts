/**
 * PostgreSQL NOTIFY channel on which the API tells the schedulers that work is due soon
 * (a schedule created, edited or resumed for the near future, or run now), so a 2-second
 * delay does not wait for the next poll. The payload is informative only: schedulers
 * react to any notification by claiming at once.
 */
export const WAKEUP_CHANNEL = 'scheduleman_wakeup';

/**
 * NOTIFY channel on which the transaction that revokes an API key tells every API
 * process to drop its cached keys (ApiKeyCache). The payload is the key's id, for the
 * logs only: a listener drops its whole cache on any notification.
 */
export const API_KEY_REVOKED_CHANNEL = 'scheduleman_api_key_revoked';
