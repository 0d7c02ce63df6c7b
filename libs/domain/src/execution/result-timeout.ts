import { ValidationError } from '../errors';
import { parseIsoDuration } from '../schedule/iso-time';

export const MIN_RESULT_TIMEOUT_MS = 1_000;
export const MAX_RESULT_TIMEOUT_MS = 7 * 24 * 3_600_000;

/**
 * A schedule's `resultTimeout`: an ISO-8601 duration from PT1S to P7D (no years or
 * months), or null for none. Returns it in ms (null for none).
 */
export function parseResultTimeout(
  input: unknown,
  field = 'resultTimeout',
): number | null {
  if (input === null) return null;
  const ms = parseIsoDuration(input, field);
  if (ms < MIN_RESULT_TIMEOUT_MS || ms > MAX_RESULT_TIMEOUT_MS)
    throw new ValidationError(
      field,
      `must be from PT1S to P7D (got ${JSON.stringify(input)})`,
    );
  return ms;
}
