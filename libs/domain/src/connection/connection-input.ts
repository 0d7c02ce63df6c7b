import { CONTROL_CHARACTER } from '../control-character';
import { ValidationError } from '../errors';
import type { NetworkPolicy } from '../trigger/network-policy';
import {
  CONNECTION_TYPES,
  type ConnectionType,
  isConnectionType,
} from './connection-type';
import { type ConnectionUrl, parseConnectionUrl } from './connection-url';

/** Longest connection name, in characters. Names are unique per owner. */
export const MAX_CONNECTION_NAME_LENGTH = 200;

/** A valid body of POST /connections, without the owner (which the principal decides). */
export interface ConnectionInput {
  name: string;
  type: ConnectionType;
  url: ConnectionUrl;
}

/**
 * Checks a connection's fields in order (name, type, url: the URL's rules depend on the
 * type) and throws ValidationError naming the first bad one.
 */
export function parseConnectionInput(
  input: { name?: unknown; type?: unknown; url?: unknown },
  policy: NetworkPolicy,
): ConnectionInput {
  const name = parseConnectionName(input.name);
  const type = parseConnectionType(input.type);
  return { name, type, url: parseConnectionUrl(type, input.url, policy) };
}

/** A name: 1 to 200 characters, no control characters, no surrounding whitespace. */
export function parseConnectionName(input: unknown, field = 'name'): string {
  if (input === undefined || input === null)
    throw new ValidationError(field, 'is required');
  if (typeof input !== 'string')
    throw new ValidationError(field, 'must be a string');
  if (input.trim() === '')
    throw new ValidationError(field, 'must not be empty');
  if (input.length > MAX_CONNECTION_NAME_LENGTH)
    throw new ValidationError(
      field,
      `must be at most ${MAX_CONNECTION_NAME_LENGTH} characters`,
    );
  if (CONTROL_CHARACTER.test(input))
    throw new ValidationError(field, 'must not contain control characters');
  if (input.trim() !== input)
    throw new ValidationError(field, 'must not start or end with whitespace');
  return input;
}

export function parseConnectionType(
  input: unknown,
  field = 'type',
): ConnectionType {
  if (input === undefined || input === null)
    throw new ValidationError(
      field,
      `is required: one of ${CONNECTION_TYPES.join(', ')}`,
    );
  if (!isConnectionType(input))
    throw new ValidationError(
      field,
      `must be one of ${CONNECTION_TYPES.join(', ')}`,
    );
  return input;
}
