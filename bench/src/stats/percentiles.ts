/** Nearest-rank quantile of an ascending array; undefined when it is empty. */
export function quantile(
  sortedAscending: readonly number[],
  q: number,
): number | undefined {
  if (sortedAscending.length === 0) return undefined;
  const rank = Math.ceil(q * sortedAscending.length);
  return sortedAscending[
    Math.min(sortedAscending.length, Math.max(1, rank)) - 1
  ];
}

export interface Distribution {
  count: number;
  min?: number;
  p50?: number;
  p90?: number;
  p99?: number;
  max?: number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: sorted[0],
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1],
  };
}
