import { useCallback, useEffect, useState } from 'react';
import { api, type Page, type ScheduleListItem } from './api';
import { useNow } from './clock-text';
import {
  filtersFromSearch,
  type ListFilters,
  listPath,
  searchFromFilters,
} from './list-filters';
import { ListFiltersForm } from './ListFiltersForm';
import { NextExecution } from './NextExecution';
import { LatestLateness, OutcomeStrip } from './OutcomeStrip';
import { Link } from './router';
import { describeSpec, scheduleZone } from './spec';

const REFRESH_MS = 5_000;
const COLUMNS = 8;

/**
 * The schedules, one page at a time (keyset cursors), filtered as the URL query says,
 * re-read every 5 s; the countdowns tick every second between reads.
 */
export function ScheduleList() {
  const [filters, setFilters] = useState<ListFilters>(() =>
    filtersFromSearch(window.location.search),
  );
  // cursors[i] is the cursor that reads page i; page 0 needs none.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<Page<ScheduleListItem> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1] ?? null;
  const now = useNow(1000);

  // A new filter starts again at page 1, and is written to the URL (no new history entry).
  const changeFilters = useCallback((next: ListFilters) => {
    setFilters(next);
    setCursors([null]);
    window.history.replaceState(
      window.history.state,
      '',
      window.location.pathname + searchFromFilters(next),
    );
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    const load = async () => {
      try {
        const answer = await api<Page<ScheduleListItem>>(
          'GET',
          listPath(filters, cursor),
          { signal: controller.signal },
        );
        setPage(answer);
        setError(null);
      } catch (e) {
        if (!controller.signal.aborted) setError(String(e));
      }
    };
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [filters, cursor]);

  return (
    <section aria-labelledby="list-title">
      <div className="list-head">
        <h2 id="list-title">Schedules</h2>
        <Link to="/new" className="button-link">
          New schedule
        </Link>
      </div>
      <ListFiltersForm filters={filters} onChange={changeFilters} />
      {error !== null && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <table aria-labelledby="list-title">
        <caption className="muted">
          Page {cursors.length}; refreshed every 5 s. Times: the schedule&apos;s
          zone, then yours.
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Owner</th>
            <th scope="col">Schedule</th>
            <th scope="col">Time zone</th>
            <th scope="col">Status</th>
            <th scope="col">Next Execution</th>
            <th scope="col">Last runs</th>
            <th scope="col">Lateness</th>
          </tr>
        </thead>
        <tbody>
          {page?.items.map((s) => (
            <tr key={s.id}>
              <th scope="row">
                <Link to={`/schedules/${s.id}`}>{s.name ?? s.id}</Link>
              </th>
              <td>{s.owner ?? ''}</td>
              <td>
                {s.description ?? describeSpec(s.schedule)}
                <br />
                <code>{rawSpec(s)}</code>
              </td>
              <td>{scheduleZone(s.schedule)}</td>
              <td>
                <span className={`status status-${s.status}`}>{s.status}</span>
              </td>
              <td>
                <NextExecution
                  at={s.nextRunAt}
                  zone={scheduleZone(s.schedule)}
                  now={now}
                />
              </td>
              <td>
                <OutcomeStrip runs={s.recentExecutions ?? []} />
              </td>
              <td>
                <LatestLateness runs={s.recentExecutions ?? []} />
              </td>
            </tr>
          ))}
          {page?.items.length === 0 && (
            <tr>
              <td colSpan={COLUMNS} className="muted">
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

/** The spec as the user wrote it: the cron expression, the `at`, the delay. */
function rawSpec(s: ScheduleListItem): string {
  switch (s.schedule.type) {
    case 'cron':
      return s.schedule.expression ?? '';
    case 'at':
      return s.schedule.at ?? '';
    case 'delay':
      return s.schedule.delay ?? '';
  }
}
