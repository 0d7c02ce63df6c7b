import { ValidationError } from '../errors';
import {
  isSealed,
  type SecretBox,
  SecretsKeyError,
} from '../secrets/secret-box';
import {
  isWebhookWithHeaders,
  SECRET_MASK,
  secretHeaderContext,
  secretHeaderNames,
} from './secret-headers';
import type { TriggerSpec } from './trigger-spec';

/**
 * The life of a secret header value (docs/security.md, "Secrets at rest"): the API seals
 * it before the trigger is stored (`sealTriggerSecrets`) and masks it in every answer
 * (`maskTriggerSecrets`); the scheduler opens it when it builds the request
 * (`openTriggerSecrets`); a rotation re-seals it under the new key (`resealTriggerSecrets`).
 * Without a box (AUTH_DISABLED and no SECRETS_KEY) values are stored as given: every
 * function here then passes them through, and the answers still mask them.
 *
 * None of these mutates its input, and no error message holds a value.
 */

export interface SealTriggerOptions {
  scheduleId: string;
  box: SecretBox | null;
  /**
   * The stored trigger this one replaces (PATCH). A secret header whose value is
   * SECRET_MASK keeps the value stored here under the same name (case-insensitive), as
   * long as the URL's origin is the same.
   */
  previous?: TriggerSpec;
  /** JSON path of the trigger in the request, for errors. Default `trigger`. */
  field?: string;
}

/** The trigger as it is stored: every secret header value sealed (or as given without a box). */
export function sealTriggerSecrets(
  trigger: TriggerSpec,
  options: SealTriggerOptions,
): TriggerSpec {
  if (!isWebhookWithHeaders(trigger)) return trigger;
  const { scheduleId, box, field = 'trigger' } = options;
  const secret = new Set(
    secretHeaderNames(trigger).map((name) => name.toLowerCase()),
  );
  const stored = storedSecretValues(options.previous);
  const sameOrigin =
    options.previous !== undefined &&
    isWebhookWithHeaders(options.previous) &&
    originOf(options.previous.url) !== undefined &&
    originOf(options.previous.url) === originOf(trigger.url);
  const headers: Record<string, string> = {};
  let changed = false;
  for (const [name, value] of Object.entries(trigger.headers)) {
    const lower = name.toLowerCase();
    if (value === SECRET_MASK) {
      const kept = secret.has(lower) ? stored.get(lower) : undefined;
      if (kept === undefined)
        throw new ValidationError(
          `${field}.headers.${name}`,
          secret.has(lower)
            ? `is "${SECRET_MASK}", the mask of a secret value, and this schedule has no stored value for this header to keep; send the value itself`
            : `is "${SECRET_MASK}", the mask of a secret value, but this header is not secret: list it in ${field}.secretHeaders to keep its stored value, or send the value itself`,
        );
      // Whoever may edit a schedule must not be able to redirect its stored secrets to a
      // server of their choosing without knowing them.
      if (!sameOrigin)
        throw new ValidationError(
          `${field}.headers.${name}`,
          `is "${SECRET_MASK}", the mask of a secret value, but ${field}.url now points to another origin: send the value itself (a stored secret is never sent to a new destination unless it is given again)`,
        );
      // Kept as it is stored, unless it can be brought under the current key.
      const next = box
        ? resealValue(box, kept, secretHeaderContext(scheduleId, name))
        : undefined;
      headers[name] =
        next === undefined || next === UNOPENABLE ? kept : next.sealed;
      changed = true;
    } else if (secret.has(lower) && box) {
      headers[name] = box.seal(value, secretHeaderContext(scheduleId, name));
      changed = true;
    } else headers[name] = value;
  }
  return changed ? { ...trigger, headers } : trigger;
}

/** The trigger as every answer shows it: each secret header value replaced by SECRET_MASK. */
export function maskTriggerSecrets(trigger: TriggerSpec): TriggerSpec {
  const names = secretHeaderNames(trigger);
  if (names.length === 0 || !isWebhookWithHeaders(trigger)) return trigger;
  const headers = { ...trigger.headers };
  for (const name of names) headers[name] = SECRET_MASK;
  return { ...trigger, headers };
}

/**
 * The trigger with every sealed secret header value opened, for the request of one
 * attempt. A value stored as given (no box when it was written) is sent as it is.
 * Throws SecretsKeyError, naming the header but never a value, when one does not open.
 */
export function openTriggerSecrets(
  trigger: TriggerSpec,
  scheduleId: string,
  box: SecretBox | null,
): TriggerSpec {
  const names = secretHeaderNames(trigger);
  if (names.length === 0 || !isWebhookWithHeaders(trigger)) return trigger;
  const headers = { ...trigger.headers };
  for (const name of names) {
    const value = headers[name];
    if (typeof value !== 'string' || !isSealed(value)) continue;
    if (box === null)
      throw new SecretsKeyError(
        `secret header ${name} is sealed, but SECRETS_KEY is not set`,
      );
    try {
      headers[name] = box.open(value, secretHeaderContext(scheduleId, name));
    } catch (error) {
      throw new SecretsKeyError(
        `secret header ${name}: ${error instanceof Error ? error.message : 'does not open'}`,
      );
    }
  }
  return { ...trigger, headers };
}

export interface ResealResult {
  /** The trigger to store, or undefined when nothing needs to change. */
  trigger: TriggerSpec | undefined;
  /** Values sealed anew: sealed with a previous key, or stored as given before a key was set. */
  resealed: number;
  /** Values sealed with a key the box does not hold: left as they are (they fail at fire time). */
  unopenable: number;
}

/**
 * Re-seals, under the box's current key, every secret header value sealed with another
 * key (a rotation: SECRETS_KEY_PREVIOUS) or stored as given (written before SECRETS_KEY
 * was set). Idempotent: a second run finds nothing to do.
 */
export function resealTriggerSecrets(
  trigger: TriggerSpec,
  scheduleId: string,
  box: SecretBox,
): ResealResult {
  const result: ResealResult = {
    trigger: undefined,
    resealed: 0,
    unopenable: 0,
  };
  const names = secretHeaderNames(trigger);
  if (names.length === 0 || !isWebhookWithHeaders(trigger)) return result;
  const headers = { ...trigger.headers };
  for (const name of names) {
    const value = headers[name];
    if (typeof value !== 'string') continue;
    const next = resealValue(box, value, secretHeaderContext(scheduleId, name));
    if (next === UNOPENABLE) result.unopenable += 1;
    else if (next !== undefined) {
      headers[name] = next.sealed;
      result.resealed += 1;
    }
  }
  if (result.resealed > 0) result.trigger = { ...trigger, headers };
  return result;
}

/** `scheme://host:port` of a URL (default ports omitted), or undefined when it does not parse. */
function originOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Lowercased name → stored value, for the secret headers of a stored trigger. */
function storedSecretValues(
  trigger: TriggerSpec | undefined,
): Map<string, string> {
  const values = new Map<string, string>();
  if (trigger === undefined || !isWebhookWithHeaders(trigger)) return values;
  for (const name of secretHeaderNames(trigger)) {
    const value = trigger.headers[name];
    if (typeof value === 'string') values.set(name.toLowerCase(), value);
  }
  return values;
}

const UNOPENABLE = Symbol('unopenable');

/**
 * `value` sealed under the box's current key; undefined when it already is; UNOPENABLE
 * when it was sealed with a key the box does not hold (or was altered).
 */
function resealValue(
  box: SecretBox,
  value: string,
  context: string,
): { sealed: string } | typeof UNOPENABLE | undefined {
  if (isSealed(value) && !box.needsResealing(value)) return undefined;
  try {
    const plaintext = isSealed(value) ? box.open(value, context) : value;
    return { sealed: box.seal(plaintext, context) };
  } catch (error) {
    if (error instanceof SecretsKeyError) return UNOPENABLE;
    throw error;
  }
}
