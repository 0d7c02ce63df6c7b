/** A plain table printed as Markdown: readable on a terminal and pasteable into docs. */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(headers),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

/** A number for a table: '-' when absent, else fixed decimals. */
export function fmt(value: number | undefined, decimals = 0): string {
  return value === undefined || Number.isNaN(value)
    ? '-'
    : value.toFixed(decimals);
}

/** Milliseconds, shown as ms below 10 s and as seconds above. */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return Math.abs(ms) >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${ms.toFixed(0)} ms`;
}
