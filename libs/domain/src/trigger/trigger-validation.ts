import { ValidationError } from '../errors';
import { PUBLIC_ONLY_NETWORK_POLICY } from './network-policy';
import type {
  TriggerDefinition,
  TriggerParseContext,
  TriggerSpec,
} from './trigger-spec';
import { WEBHOOK_TRIGGER } from './webhook.trigger-definition';
import { BROKER_TRIGGER_DEFINITIONS } from './broker/broker.trigger-definitions';

/** Every trigger type the API accepts; the scheduler has a provider for each. */
export const TRIGGER_DEFINITIONS: readonly TriggerDefinition[] = [
  WEBHOOK_TRIGGER,
  ...BROKER_TRIGGER_DEFINITIONS,
];

/** Public destinations only: the context when the installation exempts nothing. */
export const DEFAULT_TRIGGER_PARSE_CONTEXT: TriggerParseContext = {
  networkPolicy: PUBLIC_ONLY_NETWORK_POLICY,
};

/**
 * Validates a trigger against the definition registered for its type (webhook built in).
 * Without a context, only public destinations are accepted.
 */
export function parseTriggerSpec(
  input: unknown,
  field = 'trigger',
  definitions: readonly TriggerDefinition[] = TRIGGER_DEFINITIONS,
  context: TriggerParseContext = DEFAULT_TRIGGER_PARSE_CONTEXT,
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
  return definition.parse(trigger, field, context);
}

function knownTypes(definitions: readonly TriggerDefinition[]): string {
  return definitions.map((definition) => definition.type).join(', ');
}
