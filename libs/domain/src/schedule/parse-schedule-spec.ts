import { ValidationError } from '../errors';
import { parseCronExpression } from './cron-expression';
import { parseIsoDuration, parseIsoInstant } from './iso-time';
import {
  DEFAULT_TIMEZONE,
  type ScheduleSpec,
  type ScheduleType,
} from './schedule-spec';
import { parseTimeZone } from './time-zone';

/** Longest delay, and furthest ahead an `at` may lie: a year (leap years included). */
export const MAX_DELAY_MS = 366 * 86_400_000;

/**
 * How far in the past an `at` may be and still be accepted. Clients' clocks differ from
 * ours by a few hundred milliseconds to seconds, and "now" sent by a client is already
 * past when it arrives; such a one-shot fires at once and still lands well within the
 * ±10 s promise. Anything older is almost certainly a mistake.
 */
export const AT_PAST_TOLERANCE_MS = 5000;

const SCHEDULE_TYPES: readonly ScheduleType[] = ['cron', 'at', 'delay'];

const ALLOWED_FIELDS: Record<ScheduleType, readonly string[]> = {
  cron: ['type', 'expression', 'timezone'],
  at: ['type', 'at'],
  delay: ['type', 'delay'],
};

/** Validates what a client sent and resolves it: a delay becomes an absolute `at` (now + delay). field defaults to 'schedule'. */
export function parseScheduleSpec(
  input: unknown,
  now: Date,
  field = 'schedule',
): ScheduleSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(
      field,
      'must be an object with a "type" of cron, at or delay',
    );
  }
  const spec = input as Record<string, unknown>;
  const type = spec['type'];
  if (type === undefined)
    throw new ValidationError(
      `${field}.type`,
      'is required: one of cron, at, delay',
    );
  if (
    typeof type !== 'string' ||
    !(SCHEDULE_TYPES as readonly string[]).includes(type)
  ) {
    throw new ValidationError(
      `${field}.type`,
      `must be one of cron, at, delay; got ${JSON.stringify(type)}`,
    );
  }
  const scheduleType = type as ScheduleType;
  rejectUnknownFields(spec, ALLOWED_FIELDS[scheduleType], field, scheduleType);

  switch (scheduleType) {
    case 'cron': {
      const expression = parseCronExpression(
        required(spec, 'expression', field),
        now,
        `${field}.expression`,
      );
      const rawZone = spec['timezone'];
      const timezone =
        rawZone === undefined || rawZone === null
          ? DEFAULT_TIMEZONE
          : parseTimeZone(rawZone, `${field}.timezone`);
      return { type: 'cron', expression, timezone };
    }
    case 'at': {
      const at = parseIsoInstant(required(spec, 'at', field), `${field}.at`);
      checkWithinHorizon(at, now, `${field}.at`);
      return { type: 'at', at: at.toISOString() };
    }
    case 'delay': {
      const raw = required(spec, 'delay', field);
      const delayMs = parseIsoDuration(raw, `${field}.delay`);
      if (delayMs <= 0)
        throw new ValidationError(
          `${field}.delay`,
          `"${String(raw)}" must be positive (at least 1 ms)`,
        );
      if (delayMs > MAX_DELAY_MS) {
        throw new ValidationError(
          `${field}.delay`,
          `"${String(raw)}" is longer than the maximum of 366 days (P366D)`,
        );
      }
      return {
        type: 'delay',
        delay: String(raw).trim().toUpperCase(),
        at: new Date(now.getTime() + delayMs).toISOString(),
      };
    }
  }
}

function required(
  spec: Record<string, unknown>,
  key: string,
  field: string,
): unknown {
  const value = spec[key];
  if (value === undefined || value === null)
    throw new ValidationError(`${field}.${key}`, 'is required');
  return value;
}

function rejectUnknownFields(
  spec: Record<string, unknown>,
  allowed: readonly string[],
  field: string,
  type: ScheduleType,
): void {
  for (const key of Object.keys(spec)) {
    if (allowed.includes(key)) continue;
    const hint =
      type === 'delay' && key === 'at'
        ? ' (the API computes "at" from "delay"; send either {type: "at", at} or {type: "delay", delay})'
        : ` (a ${type} schedule has ${allowed.join(', ')})`;
    throw new ValidationError(`${field}.${key}`, `unknown field${hint}`);
  }
}

function checkWithinHorizon(at: Date, now: Date, field: string): void {
  const aheadMs = at.getTime() - now.getTime();
  if (aheadMs < -AT_PAST_TOLERANCE_MS) {
    throw new ValidationError(
      field,
      `${at.toISOString()} is in the past (now is ${now.toISOString()}); at most ${AT_PAST_TOLERANCE_MS} ms in the past is accepted`,
    );
  }
  if (aheadMs > MAX_DELAY_MS) {
    throw new ValidationError(
      field,
      `${at.toISOString()} is more than 366 days ahead (now is ${now.toISOString()})`,
    );
  }
}
