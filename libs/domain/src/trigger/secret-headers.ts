import { ValidationError } from '../errors';
import type { TriggerSpec, WebhookTriggerSpec } from './trigger-spec';

/**
 * Secret header values (docs/security.md, "Secrets at rest"): these headers are secret on
 * every webhook, whatever `secretHeaders` says (case-insensitive). They carry
 * credentials by definition; a user marks any other header secret in `secretHeaders`.
 */
export const ALWAYS_SECRET_HEADERS: readonly string[] = [
  'Authorization',
  'Proxy-Authorization',
  'Cookie',
];

/**
 * What every answer shows instead of a secret header value. Sent back unchanged in a
 * PATCH, it keeps the stored value of that header, so a client that edits the schedule
 * it read does not destroy its secrets.
 */
export const SECRET_MASK = '********';

const ALWAYS_SECRET = new Set(
  ALWAYS_SECRET_HEADERS.map((name) => name.toLowerCase()),
);

/**
 * The additional authenticated data a header value is sealed with: a sealed value opens
 * only for the schedule and header it was sealed for, so copying it into another row (or
 * under another header) yields a value that does not open, never another's secret.
 */
export function secretHeaderContext(scheduleId: string, name: string): string {
  return `schedule:${scheduleId}:header:${name.toLowerCase()}`;
}

/** A stored or parsed trigger with webhook headers; rows may predate a rule, so checked. */
export function isWebhookWithHeaders(
  trigger: TriggerSpec,
): trigger is WebhookTriggerSpec {
  const headers: unknown = (trigger as Partial<WebhookTriggerSpec>).headers;
  return (
    trigger.type === 'webhook' &&
    typeof headers === 'object' &&
    headers !== null &&
    !Array.isArray(headers)
  );
}

/**
 * The names, spelled as in `trigger.headers`, whose values are secret: the always-secret
 * ones present, and those listed in `secretHeaders` (case-insensitive).
 */
export function secretHeaderNames(trigger: TriggerSpec): string[] {
  if (!isWebhookWithHeaders(trigger)) return [];
  const marked = new Set(
    (Array.isArray(trigger.secretHeaders) ? trigger.secretHeaders : [])
      .filter((name) => typeof name === 'string')
      .map((name) => name.toLowerCase()),
  );
  return Object.keys(trigger.headers).filter((name) => {
    const lower = name.toLowerCase();
    return ALWAYS_SECRET.has(lower) || marked.has(lower);
  });
}

/**
 * Validates `secretHeaders` of a webhook trigger against its parsed `headers`: an array
 * of header names, each naming a header there (case-insensitive), none twice. Returns the
 * names as `headers` spells them, or undefined when none is given (an empty list too).
 */
export function parseSecretHeaders(
  input: unknown,
  headers: Record<string, string>,
  field: string,
): string[] | undefined {
  if (input === undefined || input === null) return undefined;
  if (!Array.isArray(input))
    throw new ValidationError(
      field,
      'must be an array of names of headers in headers',
    );
  const byLowerName = new Map(
    Object.keys(headers).map((name) => [name.toLowerCase(), name]),
  );
  const seen = new Map<string, number>();
  const names: string[] = [];
  input.forEach((item: unknown, index) => {
    const path = `${field}[${index}]`;
    if (typeof item !== 'string')
      throw new ValidationError(path, 'must be a header name (a string)');
    const lower = item.toLowerCase();
    const spelled = byLowerName.get(lower);
    if (spelled === undefined)
      throw new ValidationError(
        path,
        `${JSON.stringify(item)} is not a header of this trigger; list only names that are in headers`,
      );
    const earlier = seen.get(lower);
    if (earlier !== undefined)
      throw new ValidationError(
        path,
        `duplicates ${field}[${earlier}] (names are case-insensitive)`,
      );
    seen.set(lower, index);
    names.push(spelled);
  });
  return names.length > 0 ? names : undefined;
}
