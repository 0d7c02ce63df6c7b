import type { RecentExecution } from './api';

/** Lateness beyond this breaks the on-time promise (±10 s): flagged in the list. */
export const LATE_MS = 10_000;

/** `0.02 s`, `12.3 s`, `-0.4 s` (early). */
export function formatLatenessMs(ms: number): string {
  const s = ms / 1000;
  return `${Math.abs(s) < 1 ? s.toFixed(2) : s.toFixed(1)} s`;
}

const SYMBOLS: Record<string, string> = {
  succeeded: '✓',
  failed: '✗',
  pending: '…',
  cancelled: '–',
  skipped: '»',
};

/** What one mark says in words: `succeeded, 0.02 s late`, `pending, not fired yet`. */
export function outcomeText(e: RecentExecution): string {
  if (e.latenessMs === null) return `${e.status}, not fired`;
  const late = Math.abs(e.latenessMs) > LATE_MS ? ' (over 10 s)' : '';
  return `${e.status}, ${formatLatenessMs(e.latenessMs)} late${late}`;
}

/**
 * The last runs, newest first, as small marks: colour for a glance, a symbol so colour
 * is not the only signal, and each mark's words (status and lateness) as its text for
 * screen readers and as the tooltip.
 */
export function OutcomeStrip({ runs }: { runs: RecentExecution[] }) {
  if (runs.length === 0) return <span className="muted">none yet</span>;
  return (
    <ol className="outcomes" aria-label="Last runs, newest first">
      {runs.map((e) => (
        <li
          key={e.id}
          className={`outcome outcome-${e.status}`}
          title={outcomeText(e)}
        >
          <span aria-hidden="true">{SYMBOLS[e.status] ?? '?'}</span>
          <span className="visually-hidden">{outcomeText(e)}</span>
        </li>
      ))}
    </ol>
  );
}

/** The lateness of the latest run that fired; flagged beyond ±10 s. */
export function LatestLateness({ runs }: { runs: RecentExecution[] }) {
  const latest = runs.find((e) => e.latenessMs !== null);
  if (latest?.latenessMs == null) return <span className="muted">–</span>;
  const text = formatLatenessMs(latest.latenessMs);
  if (Math.abs(latest.latenessMs) <= LATE_MS) return <span>{text}</span>;
  return (
    <strong className="late">
      <span aria-hidden="true">⚠ </span>
      {text} <span className="late-note">over 10 s</span>
    </strong>
  );
}
