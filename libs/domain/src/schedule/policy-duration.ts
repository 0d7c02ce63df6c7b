import { ValidationError } from '../errors';
import { parseIsoDuration } from './iso-time';

/**
 * A duration field of a time policy (`catchUpWindow`, `flexibleWindow`): an ISO-8601
 * duration (iso-time.ts rules: no years or months) within [minMs, maxMs]. The stored and
 * echoed value is the text as sent, trimmed; its length in ms is parsed again where it
 * is used, which is cheap and keeps one representation in the row.
 */
export function parsePolicyDuration(
  input: unknown,
  field: string,
  bounds: { minMs: number; maxMs: number },
): string {
  const ms = parseIsoDuration(input, field);
  const text = (input as string).trim();
  if (ms < bounds.minMs)
    throw new ValidationError(
      field,
      `"${text}" is shorter than the minimum of ${describeDuration(bounds.minMs)}`,
    );
  if (ms > bounds.maxMs)
    throw new ValidationError(
      field,
      `"${text}" is longer than the maximum of ${describeDuration(bounds.maxMs)}`,
    );
  return text;
}

/** A length in words for notes and messages: "10 s", "5 min", "1 h 30 min", "2 d". */
export function describeDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unitMs, name] of [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
    [1, 'ms'],
  ] as const) {
    const count = Math.floor(rest / unitMs);
    if (count > 0) parts.push(`${count} ${name}`);
    rest -= count * unitMs;
  }
  return parts.length === 0 ? '0 s' : parts.join(' ');
}
