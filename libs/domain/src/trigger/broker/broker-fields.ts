import { CONTROL_CHARACTER } from '../../control-character';
import { ValidationError } from '../../errors';
import { connectionIdOf } from '../../connection/trigger-connection';
import { parseTriggerFormat } from '../cloudevents';
import { checkTemplate } from '../template';
import { parseHeaderMap, parseJsonBody } from '../webhook.trigger-definition';
import type { BrokerTriggerSpecBase } from './broker-trigger-spec';

/**
 * Field parsers shared by the broker trigger definitions. Every message a broker trigger
 * publishes is addressed by a name (exchange, routing key, subject, stream, topic); each
 * protocol has its own rules for it, written here as a NameRule so that one function
 * checks all of them and names the field in its message.
 */

/** Fields every broker trigger has. */
export const BROKER_COMMON_FIELDS = [
  'type',
  'connectionId',
  'headers',
  'body',
  'format',
] as const;

export interface NameRule {
  /** What the protocol calls it, for messages ("a NATS subject"). */
  what: string;
  maxLength: number;
  /** May it be `""`? */
  allowEmpty?: boolean;
  /** May it hold template placeholders (all but the AMQP exchange)? */
  templated?: boolean;
  /** Must hold; `why` completes "must …". */
  checks: readonly { ok: (text: string) => boolean; why: string }[];
}

/** `{{…}}` placeholders (templates) count as one plain character for the name rules. */
const PLACEHOLDER = /\{\{[^{}]*\}\}/g;

export function parseName(
  input: unknown,
  field: string,
  rule: NameRule,
): string {
  if (input === undefined || input === null)
    throw new ValidationError(field, `is required (${rule.what})`);
  if (typeof input !== 'string')
    throw new ValidationError(field, `must be a string (${rule.what})`);
  if (input === '' && rule.allowEmpty !== true)
    throw new ValidationError(field, `must not be empty (${rule.what})`);
  if (input.length > rule.maxLength)
    throw new ValidationError(
      field,
      `must be at most ${String(rule.maxLength)} characters (${rule.what})`,
    );
  if (CONTROL_CHARACTER.test(input))
    throw new ValidationError(
      field,
      `must not contain control characters (${rule.what})`,
    );
  if (rule.templated === true) checkTemplate(input, field);
  else if (input.includes('{{'))
    throw new ValidationError(
      field,
      `takes no template placeholders (${rule.what})`,
    );
  checkNameRule(input.replace(PLACEHOLDER, 'x'), field, rule);
  return input;
}

/**
 * The protocol's rules for a name, on `text` as it will be sent: at create with each
 * placeholder counted as one character, and again at fire time on the rendered name
 * (renderBrokerNames), since a metadata value can break them.
 */
export function checkNameRule(
  text: string,
  field: string,
  rule: NameRule,
): void {
  const plain = text;
  for (const check of rule.checks)
    if (!check.ok(plain))
      throw new ValidationError(field, `must ${check.why} (${rule.what})`);
}

/** Refuses any field outside `allowed`, naming it and listing the allowed ones. */
export function refuseUnknownFields(
  input: Record<string, unknown>,
  field: string,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(input))
    if (!allowed.includes(key))
      throw new ValidationError(
        `${field}.${key}`,
        `unknown field (a "${String(input['type'])}" trigger has ${allowed.join(', ')})`,
      );
}

/** The fields every broker trigger shares, parsed; `connectionId` is required. */
export function parseBrokerCommon<T extends string>(
  input: Record<string, unknown>,
  field: string,
  type: T,
): BrokerTriggerSpecBase & { type: T } {
  const connectionId = connectionIdOf(input as { type: string }, field);
  if (connectionId === undefined)
    throw new ValidationError(
      `${field}.connectionId`,
      `is required: the id of a connection (POST /connections) a "${type}" trigger publishes through`,
    );
  const spec: BrokerTriggerSpecBase & { type: T } = {
    type,
    connectionId,
    headers: parseHeaderMap(input['headers'], `${field}.headers`),
  };
  if (input['body'] !== undefined)
    spec.body = parseJsonBody(input['body'], `${field}.body`);
  const format = parseTriggerFormat(input['format'], `${field}.format`);
  if (format !== undefined) spec.format = format;
  return spec;
}

/** An optional integer in [min, max], or undefined. */
export function parseOptionalInteger(
  input: unknown,
  field: string,
  min: number,
  max: number,
): number | undefined {
  if (input === undefined || input === null) return undefined;
  if (
    typeof input !== 'number' ||
    !Number.isInteger(input) ||
    input < min ||
    input > max
  )
    throw new ValidationError(
      field,
      `must be an integer from ${String(min)} to ${String(max)}`,
    );
  return input;
}

export function parseOptionalBoolean(
  input: unknown,
  field: string,
): boolean | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== 'boolean')
    throw new ValidationError(field, 'must be true or false');
  return input;
}
