import { randomFillSync } from 'node:crypto';

/** Random bytes per id: 2 to seed the counter, 1 beside the variant bits, 7 more. */
const ID_RANDOM_BYTES = 10;

/**
 * Random bytes drawn in blocks: one `randomFillSync` per 400 ids rather than one per id
 * (a batch of 1,000 schedules takes three draws).
 */
const POOL = Buffer.alloc(400 * ID_RANDOM_BYTES);
let poolOffset = POOL.length;

function idRandomBytes(): Buffer {
  if (poolOffset === POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const bytes = POOL.subarray(poolOffset, poolOffset + ID_RANDOM_BYTES);
  poolOffset += ID_RANDOM_BYTES;
  return bytes;
}

/** The last id's millisecond and 12-bit counter (RFC 9562 §6.2, method 1). */
let lastMs = -1;
let counter = 0;

const HEX = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, '0'),
);

function hex(bytes: ArrayLike<number>, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += HEX[bytes[i]];
  return out;
}

/**
 * A new id for a row that many are created of at once (a schedule, its `schedule.created`
 * audit event): a UUIDv7 (RFC 9562), the Unix time in ms of `now` in its first 48 bits,
 * then a 12-bit counter and 62 random bits. Ids made one after the other in a process
 * sort in the order they were made, also within one millisecond (the counter starts at
 * a random value below 2048 each millisecond; past 4095 the time is moved on by 1 ms,
 * as §6.2 allows), so PostgreSQL appends them to the right end of the primary key
 * instead of touching a random page for each (docs/performance.md "Bulk creation: …
 * evening"). The order is not a contract: ids are opaque strings (docs/api.md), and
 * listings order by their time column first.
 */
export function newTimeOrderedId(now: Date): string {
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs))
    throw new RangeError('newTimeOrderedId: now is an invalid date');
  const random = idRandomBytes();
  if (nowMs > lastMs) {
    lastMs = nowMs;
    counter = ((random[0] << 8) | random[1]) & 0x7ff;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = ((random[0] << 8) | random[1]) & 0x7ff;
  }
  const time = lastMs.toString(16).padStart(12, '0');
  const randA = (0x7000 | counter).toString(16);
  const variant = (0x80 | (random[2] & 0x3f)).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8)}-${randA}-${variant}${hex(random, 3, 4)}-${hex(random, 4, 10)}`;
}
