/**
 * Every instant the UI shows is a <time datetime="<ISO UTC>"> (the contract "Web UI" in
 * docs/architecture.md): the text is for people, the attribute for machines and tests.
 */
function format(iso: string, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'long',
    timeZone,
  }).format(new Date(iso));
}

/** The ISO-8601 UTC form with milliseconds, as the API sends it. */
function utc(iso: string): string {
  return new Date(iso).toISOString();
}

export function Instant({ at, zone }: { at: string | null; zone?: string }) {
  if (at === null) return <span className="muted">none</span>;
  return <time dateTime={utc(at)}>{format(at, zone)}</time>;
}

/** The instant in the schedule's zone and, below it, in the viewer's. */
export function ZonedInstant({
  at,
  zone,
}: {
  at: string | null;
  zone: string;
}) {
  if (at === null) return <span className="muted">none</span>;
  const viewer = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <>
      <Instant at={at} zone={zone} />
      {viewer !== zone && (
        <>
          <br />
          <small>
            yours: <Instant at={at} zone={viewer} />
          </small>
        </>
      )}
    </>
  );
}

/** firedAt - scheduledAt, in seconds with one decimal; empty until fired. */
export function lateness(scheduledAt: string, firedAt: string | null): string {
  if (firedAt === null) return '';
  const ms = new Date(firedAt).getTime() - new Date(scheduledAt).getTime();
  return `${(ms / 1000).toFixed(1)} s`;
}
