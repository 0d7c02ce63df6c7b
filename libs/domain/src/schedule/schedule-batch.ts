import type { FieldProblem } from '../contracts/error.contract';
import { ForbiddenError } from '../auth/principal';
import { QuotaExceededError, ValidationError } from '../errors';
import type { OwnerUsage } from './schedule-quotas';

/**
 * Bulk creation (`POST /schedules/batch`, docs/api.md): every item is validated as a
 * `POST /schedules` body would be, the problems of all items are reported together,
 * each named by the item's index and its field's path inside the request
 * (`schedules[3].schedule.expression`), and nothing is stored unless every item is.
 */

/** The most schedules one `POST /schedules/batch` may create. */
export const MAX_BATCH_SCHEDULES = 1_000;

/** The field a batch request names for the list of items. */
export const BATCH_FIELD = 'schedules';

/** A problem of one item of a batch: always names its index. */
export interface BatchItemProblem extends FieldProblem {
  index: number;
}

/**
 * How an item was refused, in the order a batch answer picks its status from: a key
 * naming another owner (403) outweighs invalid input (400), which outweighs a quota
 * (409), so a client fixes its authorisation first and its volume last.
 */
export const BATCH_REFUSALS = ['forbidden', 'invalid', 'quota'] as const;
export type BatchRefusal = (typeof BATCH_REFUSALS)[number];

/** `schedules[3].schedule.expression` for field `schedule.expression` of item 3; `body` names the item itself. */
export function batchItemField(index: number, field: string): string {
  const item = `${BATCH_FIELD}[${index}]`;
  return field === '' || field === 'body' ? item : `${item}.${field}`;
}

/** The problems of item `index`, with their fields made paths of the batch request. */
export function indexProblems(
  index: number,
  problems: readonly FieldProblem[],
): BatchItemProblem[] {
  return problems.map((problem) => ({
    index,
    field: batchItemField(index, problem.field),
    message: problem.message,
  }));
}

/**
 * What a domain error thrown for one item means for the batch: its refusal and its
 * problem (fields as for a single creation), or undefined for any other error (a bug, a lost
 * database), which must fail the request as it would a single creation.
 */
export function itemRefusal(
  error: unknown,
): { refusal: BatchRefusal; problem: FieldProblem } | undefined {
  if (error instanceof ValidationError)
    return {
      refusal: 'invalid',
      problem: {
        field: error.field,
        message: error.message.slice(error.field.length + 2),
      },
    };
  if (error instanceof ForbiddenError)
    return {
      refusal: 'forbidden',
      problem: { field: error.field, message: error.message },
    };
  if (error instanceof QuotaExceededError)
    return {
      refusal: 'quota',
      problem: { field: error.field, message: error.message },
    };
  return undefined;
}

/** The refusal that decides a batch answer's status (BATCH_REFUSALS order); undefined when there is none. */
export function decisiveRefusal(
  refusals: Iterable<BatchRefusal>,
): BatchRefusal | undefined {
  const seen = new Set(refusals);
  return BATCH_REFUSALS.find((refusal) => seen.has(refusal));
}

/**
 * What the items add to each owner's totals, owners in name order (so two batches of
 * the same owners lock their totals in the same order and cannot deadlock).
 * Owner-less items (an admin's) count towards no totals.
 */
export function sumOwnerUsage(
  items: Iterable<{ owner: string | null; usage: OwnerUsage }>,
): [string, OwnerUsage][] {
  const totals = new Map<string, OwnerUsage>();
  for (const { owner, usage } of items) {
    if (owner === null) continue;
    const total = totals.get(owner) ?? { schedules: 0, firesPerHour: 0 };
    total.schedules += usage.schedules;
    total.firesPerHour += usage.firesPerHour;
    totals.set(owner, total);
  }
  return [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
