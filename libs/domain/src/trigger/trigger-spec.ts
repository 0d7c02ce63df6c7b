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
  /** Any JSON value; when absent the default body of the contract is sent. */
  body?: unknown;
}

export type TriggerSpec = WebhookTriggerSpec | TriggerSpecBase;
