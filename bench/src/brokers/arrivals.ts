/** What arrived at the broker, judged against the executions that say they published. */
export interface Arrivals {
  /** Messages read back. */
  received: number;
  /** Succeeded executions whose message never arrived. */
  missing: number;
  /** Executions whose message arrived more than once. */
  duplicated: number;
  /** Messages naming no execution of this batch (or with a body that is not the contract's). */
  unexpected: number;
}

/** The `executionId` of a message body (the contract's default body), if it has one. */
export function executionIdOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const id =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as Record<string, unknown>)['executionId']
        : undefined;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Exactly once per execution id: every succeeded execution's message, once, and nothing else. */
export function countArrivals(
  bodies: readonly string[],
  succeededIds: readonly string[],
): Arrivals {
  const expected = new Set(succeededIds);
  const seen = new Map<string, number>();
  let unexpected = 0;
  for (const body of bodies) {
    const id = executionIdOf(body);
    if (id === undefined || !expected.has(id)) {
      unexpected++;
      continue;
    }
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  let duplicated = 0;
  for (const n of seen.values()) if (n > 1) duplicated++;
  return {
    received: bodies.length,
    missing: expected.size - seen.size,
    duplicated,
    unexpected,
  };
}
