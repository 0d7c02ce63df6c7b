import { useCallback, useEffect, useState } from 'react';
import { api, type Execution, type Page, type Schedule } from './api';
import { Link } from './router';
import { describeSpec, scheduleZone } from './spec';
import { Instant, lateness, ZonedInstant } from './time';

const REFRESH_MS = 5_000;

interface Detail {
  schedule: Schedule;
  upcoming: string[];
  executions: Execution[];
}

/** One schedule: its fields, the next 10 occurrences, its executions, and its actions. */
export function ScheduleDetail({ id }: { id: string }) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const path = `/schedules/${encodeURIComponent(id)}`;

  const load = useCallback(async () => {
    try {
      const [schedule, upcoming, executions] = await Promise.all([
        api<Schedule>('GET', path),
        api<{ items: string[] }>('GET', `${path}/upcoming?count=10`),
        api<Page<Execution>>('GET', `${path}/executions`),
      ]);
      setDetail({
        schedule,
        upcoming: upcoming.items,
        executions: executions.items,
      });
      setError(null);
    } catch (e) {
      setError(String(e));
    }
  }, [path]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  async function act(action: 'pause' | 'resume' | 'trigger', done: string) {
    try {
      await api('POST', `${path}/${action}`);
      // Re-read first, so the notice never shows beside the old status.
      await load();
      setNotice(done);
    } catch (e) {
      setError(String(e));
    }
  }

  const s = detail?.schedule;
  const zone = s ? scheduleZone(s.schedule) : 'UTC';
  return (
    <section aria-labelledby="detail-title">
      <p>
        <Link to="/">← All schedules</Link>
      </p>
      <h2 id="detail-title">{s ? (s.name ?? s.id) : 'Schedule'}</h2>
      {error !== null && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {notice !== null && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {s && (
        <>
          <div className="actions">
            <button
              type="button"
              disabled={s.status !== 'active'}
              onClick={() => void act('pause', 'Paused.')}
            >
              Pause
            </button>
            <button
              type="button"
              disabled={s.status !== 'paused'}
              onClick={() => void act('resume', 'Resumed.')}
            >
              Resume
            </button>
            <button
              type="button"
              onClick={() =>
                void act('trigger', 'Run requested: a scheduler fires it now.')
              }
            >
              Run now
            </button>
          </div>
          <dl className="fields">
            <dt>Id</dt>
            <dd>{s.id}</dd>
            <dt>Owner</dt>
            <dd>{s.owner ?? ''}</dd>
            <dt>Schedule</dt>
            <dd>{describeSpec(s.schedule)}</dd>
            <dt>Status</dt>
            <dd data-testid="status">{s.status}</dd>
            <dt>Next Execution</dt>
            <dd>
              <ZonedInstant at={s.nextRunAt} zone={zone} />
            </dd>
            <dt>Trigger</dt>
            <dd>
              {s.trigger.type} {s.trigger.url ?? ''}
            </dd>
            <dt>Misfire policy</dt>
            <dd>{s.misfirePolicy}</dd>
            <dt>Max attempts</dt>
            <dd>{s.maxAttempts}</dd>
            <dt>Created</dt>
            <dd>
              <Instant at={s.createdAt} />
            </dd>
            <dt>Updated</dt>
            <dd>
              <Instant at={s.updatedAt} />
            </dd>
          </dl>
          <h3 id="upcoming-title">Upcoming</h3>
          <ol aria-labelledby="upcoming-title">
            {detail.upcoming.map((at) => (
              <li key={at}>
                <ZonedInstant at={at} zone={zone} />
              </li>
            ))}
          </ol>
          <h3 id="executions-title">Executions</h3>
          <table aria-labelledby="executions-title">
            <thead>
              <tr>
                <th scope="col">Scheduled</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Lateness</th>
                <th scope="col">Response</th>
              </tr>
            </thead>
            <tbody>
              {detail.executions.map((e) => (
                <tr key={e.id}>
                  <td>
                    <Instant at={e.scheduledAt} zone={zone} />
                  </td>
                  <td>{e.status}</td>
                  <td>
                    {e.attempts} / {e.maxAttempts}
                  </td>
                  <td>{lateness(e.scheduledAt, e.firedAt)}</td>
                  <td>{e.responseStatus ?? e.error ?? ''}</td>
                </tr>
              ))}
              {detail.executions.length === 0 && (
                <tr>
                  <td colSpan={5} className="muted">
                    No executions yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
