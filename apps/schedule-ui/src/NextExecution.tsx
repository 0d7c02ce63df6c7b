import { formatCountdown, formatWithOffset } from './clock-text';

/**
 * The Next Execution cell: the API's nextRunAt in the schedule's zone and, below, in the
 * viewer's (each a <time datetime="<ISO UTC>"> with its offset), and a countdown from
 * the viewer's clock. The countdown is role="timer" (not announced as it changes), so a
 * screen reader reads it when asked, not every second.
 */
export function NextExecution({
  at,
  zone,
  now,
}: {
  at: string | null;
  zone: string;
  now: number;
}) {
  if (at === null) return <span className="muted">none</span>;
  const iso = new Date(at).toISOString();
  const viewer = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <>
      <time dateTime={iso}>{formatWithOffset(iso, zone)}</time>
      {viewer !== zone && (
        <>
          <br />
          <small>
            yours: <time dateTime={iso}>{formatWithOffset(iso, viewer)}</time>
          </small>
        </>
      )}
      <br />
      <small className="countdown" role="timer" aria-live="off">
        {formatCountdown(Date.parse(iso) - now)}
      </small>
    </>
  );
}
