import type { TriggerFormat } from './cloudevents';
import type { NetworkPolicy } from './network-policy';

/**
 * What a schedule triggers. Every trigger has a `type` naming its provider; the rest of
 * its fields belong to that provider and are validated by its TriggerDefinition.
 */
export interface TriggerSpecBase {
  type: string;
}

export const WEBHOOK_METHODS = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
] as const;
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

export interface WebhookTriggerSpec extends TriggerSpecBase {
  type: 'webhook';
  url: string;
  method: WebhookMethod;
  headers: Record<string, string>;
  /**
   * Names of headers (spelled as in `headers`) whose values are secret besides
   * ALWAYS_SECRET_HEADERS: sealed at rest, masked in answers (secret-headers.ts). Absent
   * when none is marked.
   */
  secretHeaders?: string[];
  /**
   * Any JSON value; when absent the default body of the contract is sent. Its strings,
   * like `url` and the header values, may hold placeholders (template.ts).
   */
  body?: unknown;
  /** `cloudevents`: the body goes as a CloudEvent in HTTP binary mode. Absent = raw. */
  format?: TriggerFormat;
}

export type TriggerSpec = WebhookTriggerSpec | TriggerSpecBase;

/** What validating a trigger depends on besides its input: the installation's settings. */
export interface TriggerParseContext {
  /** Which destinations a trigger may name (WEBHOOK_ALLOWED_NETWORKS). */
  networkPolicy: NetworkPolicy;
}

/**
 * Validation of one trigger type's configuration. A new trigger type (queue, FaaS, …)
 * adds a definition to TRIGGER_DEFINITIONS (trigger-validation.ts) and a TriggerProvider
 * in the scheduler; nothing else changes.
 */
export interface TriggerDefinition<T extends TriggerSpec = TriggerSpec> {
  readonly type: string;
  /** Validates `input` (which has `type` === this.type) and returns the spec to store. `field` is its JSON path, e.g. `trigger`. */
  parse(
    input: Record<string, unknown>,
    field: string,
    context: TriggerParseContext,
  ): T;
}
