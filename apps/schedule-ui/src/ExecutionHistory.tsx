import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Execution, type Page } from './api';
import { formatMs, isOutsidePromise, latenessMs } from './chart-math';
import { LatenessChart } from './LatenessChart';
import { Instant } from './time';

const REFRESH_MS = 5_000;
/** Executions per page: the table and the chart show the same ones. */
export const HISTORY_PAGE_SIZE = 25;

function Lateness({ e }: { e: Execution }) {
  if (e.firedAt === null) return null;
  const ms = latenessMs(e.scheduledAt, e.firedAt);
  return (
    <>
      <data value={ms}>{formatMs(ms)}</data>
      {isOutsidePromise(ms) && (
        <>
          {' '}
          <strong className="error">outside ±10 s</strong>
        </>
      )}
    </>
  );
}

/**
 * When the next attempt is due. A null dueAt is an occurrence buffer_one holds back until
 * the previous execution finishes: "buffered" while it waits, "—" on a row that no
 * longer waits for anything.
 */
export function Due({ e, zone }: { e: Execution; zone: string }) {
  if (e.dueAt !== null) return <Instant at={e.dueAt} zone={zone} />;
  if (e.status === 'pending')
    return (
      <span
        className="muted"
        title="held by overlap policy buffer_one until the previous execution finishes"
      >
        buffered
      </span>
    );
  return <span className="muted">—</span>;
}

function Response({ e }: { e: Execution }) {
  return (
    <>
      {e.responseStatus !== null && <span>HTTP {e.responseStatus}</span>}
      {e.responseStatus !== null && e.error !== null && <br />}
      {e.error !== null && <span className="error">{e.error}</span>}
    </>
  );
}

/**
 * A schedule's executions, newest scheduled first, one page at a time by the API's
 * cursor ("Older" follows nextCursor, "Newer" goes back the way it came), re-read every
 * 5 s and whenever `reloadKey` changes (after Run now). The lateness chart is drawn over
 * the page shown.
 */
export function ExecutionHistory({
  path,
  zone,
  reloadKey,
}: {
  /** `/schedules/<id>` */
  path: string;
  zone: string;
  reloadKey: number;
}) {
  // cursors[i] reads page i; page 0 (the newest) needs none.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<Page<Execution> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1] ?? null;
  // An answer to an older request (another page, before a reload) must not win.
  const latest = useRef(0);

  const load = useCallback(async () => {
    const request = ++latest.current;
    const query = new URLSearchParams({ limit: String(HISTORY_PAGE_SIZE) });
    if (cursor !== null) query.set('cursor', cursor);
    try {
      const answer = await api<Page<Execution>>(
        'GET',
        `${path}/executions?${query.toString()}`,
      );
      if (request !== latest.current) return;
      setPage(answer);
      setError(null);
    } catch (e) {
      if (request === latest.current) setError(String(e));
    }
  }, [path, cursor]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load, reloadKey]);

  const executions = page?.items ?? [];
  return (
    <section aria-labelledby="executions-title">
      <h3 id="executions-title">Executions</h3>
      {error !== null && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {page !== null && <LatenessChart executions={executions} zone={zone} />}
      <table aria-labelledby="executions-title">
        <caption className="muted">
          Newest first, {HISTORY_PAGE_SIZE} a page, times in {zone}; lateness is
          fired − scheduled. Refreshed every 5 s.
        </caption>
        <thead>
          <tr>
            <th scope="col">Scheduled</th>
            <th scope="col">Fired</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Due</th>
            <th scope="col">Scheduler</th>
            <th scope="col">Lateness</th>
            <th scope="col">Response / error</th>
          </tr>
        </thead>
        <tbody>
          {executions.map((e) => (
            <tr key={e.id} data-execution-id={e.id}>
              <th scope="row">
                <Instant at={e.scheduledAt} zone={zone} />
              </th>
              <td>
                <Instant at={e.firedAt} zone={zone} />
              </td>
              <td>
                <span className={`status status-${e.status}`}>{e.status}</span>
                {e.reason != null && (
                  <>
                    <br />
                    <small>{e.reason}</small>
                  </>
                )}
              </td>
              <td>
                {e.attempts} / {e.maxAttempts}
              </td>
              <td>
                <Due e={e} zone={zone} />
              </td>
              <td>{e.schedulerId ?? ''}</td>
              <td>
                <Lateness e={e} />
              </td>
              <td>
                <Response e={e} />
              </td>
            </tr>
          ))}
          {page !== null && executions.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                No executions {cursors.length > 1 ? 'on this page' : 'yet'}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <nav aria-label="Execution pages" className="pager">
        <button
          type="button"
          disabled={cursors.length === 1}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Newer
        </button>
        <button
          type="button"
          disabled={page?.nextCursor == null}
          onClick={() => {
            const next = page?.nextCursor;
            if (next != null) setCursors([...cursors, next]);
          }}
        >
          Older
        </button>
      </nav>
    </section>
  );
}
