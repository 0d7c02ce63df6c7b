/**
 * The occurrences of the cron expression `*\/N * * * * *` (every N seconds counted from
 * each minute's second 0, as cron reads a step) scheduled in [fromMs, toMs]. Computed
 * independently of the product's cron maths, so the harness checks it rather than
 * repeating it.
 */
export function everyNSecondsCron(n: number): string {
  return `*/${n} * * * * *`;
}

export function everyNSecondsOccurrences(
  n: number,
  fromMs: number,
  toMs: number,
): number[] {
  if (!Number.isInteger(n) || n < 1 || n > 59)
    throw new Error(`step must be 1..59, got ${n}`);
  const times: number[] = [];
  for (let second = Math.ceil(fromMs / 1000); second * 1000 <= toMs; second++) {
    if ((second % 60) % n === 0) times.push(second * 1000);
  }
  return times;
}
