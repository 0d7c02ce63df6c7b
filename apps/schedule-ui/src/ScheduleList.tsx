import { useCallback, useEffect, useState } from 'react';
import { api, type Page, type Schedule } from './api';
import { Link } from './router';
import { ZonedInstant } from './time';
import { describeSpec, scheduleZone } from './spec';

const REFRESH_MS = 5_000;

/** The schedules, one page at a time (keyset cursors), re-read every 5 s. */
export function ScheduleList() {
  // cursors[i] is the cursor that reads page i; page 0 needs none.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<Page<Schedule> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1] ?? null;

  const load = useCallback(async () => {
    const query = new URLSearchParams({ limit: '20' });
    if (cursor !== null) query.set('cursor', cursor);
    try {
      setPage(
        await api<Page<Schedule>>('GET', `/schedules?${query.toString()}`),
      );
      setError(null);
    } catch (e) {
      setError(String(e));
    }
  }, [cursor]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  return (
    <section aria-labelledby="list-title">
      <h2 id="list-title">Schedules</h2>
      {error !== null && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <table>
        <caption className="muted">Refreshed every 5 s</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Owner</th>
            <th scope="col">Schedule</th>
            <th scope="col">Status</th>
            <th scope="col">Next Execution</th>
          </tr>
        </thead>
        <tbody>
          {page?.items.map((s) => (
            <tr key={s.id}>
              <th scope="row">
                <Link to={`/schedules/${s.id}`}>{s.name ?? s.id}</Link>
              </th>
              <td>{s.owner ?? ''}</td>
              <td>{describeSpec(s.schedule)}</td>
              <td>
                <span className={`status status-${s.status}`}>{s.status}</span>
              </td>
              <td>
                <ZonedInstant
                  at={s.nextRunAt}
                  zone={scheduleZone(s.schedule)}
                />
              </td>
            </tr>
          ))}
          {page?.items.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No schedules.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <nav aria-label="Pages" className="pager">
        <button
          type="button"
          disabled={cursors.length === 1}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous
        </button>
        <button
          type="button"
          disabled={page?.nextCursor == null}
          onClick={() => {
            const next = page?.nextCursor;
            if (next != null) setCursors([...cursors, next]);
          }}
        >
          Next
        </button>
      </nav>
    </section>
  );
}
