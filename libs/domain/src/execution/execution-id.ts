import { createHash } from 'node:crypto';

/**
 * The UUID namespace of scheduleman execution ids (a random v4, fixed forever: changing
 * it would change every id and break receivers' de-duplication across an upgrade).
 */
export const EXECUTION_ID_NAMESPACE = '3a48a6af-bab9-4ac1-9f94-a3ac1d7d737f';

const NAMESPACE_BYTES = Buffer.from(
  EXECUTION_ID_NAMESPACE.replace(/-/g, ''),
  'hex',
);

/**
 * Deterministic execution id (a UUID, name-based v5 over scheduleId + scheduledAt ISO
 * ms): the same for every retry and duplicate; sent as Idempotency-Key. Two schedulers
 * that plan the same occurrence compute the same id, so the insert conflicts instead of
 * creating a second execution.
 */
export function executionIdFor(scheduleId: string, scheduledAt: Date): string {
  if (Number.isNaN(scheduledAt.getTime()))
    throw new RangeError('executionIdFor: scheduledAt is an invalid date');
  const name = `${scheduleId}@${scheduledAt.toISOString()}`;
  const bytes = createHash('sha1')
    .update(NAMESPACE_BYTES)
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
