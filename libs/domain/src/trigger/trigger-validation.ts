import { ValidationError } from '../errors';
import type { TriggerSpec } from './trigger-spec';
import { WEBHOOK_TRIGGER } from './webhook.trigger-definition';

/**
 * Validation of one trigger type's configuration. A new trigger type (queue, FaaS, …)
 * adds a definition here and a TriggerProvider in the scheduler; nothing else changes.
 */
export interface TriggerDefinition<T extends TriggerSpec = TriggerSpec> {
  readonly type: string;
  /** Validates `input` (which has `type` === this.type) and returns the spec to store. `field` is its JSON path, e.g. `trigger`. */
  parse(input: Record<string, unknown>, field: string): T;
}

export const TRIGGER_DEFINITIONS: readonly TriggerDefinition[] = [
  WEBHOOK_TRIGGER,
];

/** Validates a trigger against the definition registered for its type (webhook built in). */
export function parseTriggerSpec(
  input: unknown,
  field = 'trigger',
  definitions: readonly TriggerDefinition[] = TRIGGER_DEFINITIONS,
): TriggerSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(
      field,
      `must be an object with a "type" (${knownTypes(definitions)})`,
    );
  }
  const trigger = input as Record<string, unknown>;
  const type = trigger['type'];
  if (type === undefined || type === null)
    throw new ValidationError(
      `${field}.type`,
      `is required; known: ${knownTypes(definitions)}`,
    );
  const definition = definitions.find((candidate) => candidate.type === type);
  if (!definition) {
    throw new ValidationError(
      `${field}.type`,
      `unknown trigger type ${typeof type === 'string' ? `"${type}"` : JSON.stringify(type)}; known: ${knownTypes(definitions)}`,
    );
  }
  return definition.parse(trigger, field);
}

function knownTypes(definitions: readonly TriggerDefinition[]): string {
  return definitions.map((definition) => definition.type).join(', ');
}
