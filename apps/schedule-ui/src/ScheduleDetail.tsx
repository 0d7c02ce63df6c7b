import { useCallback, useEffect, useState } from 'react';
import {
  api,
  ApiError,
  type Execution,
  type PreviewAnswer,
  type Schedule,
} from './api';
import { ConfirmDialog } from './ConfirmDialog';
import { ExecutionHistory } from './ExecutionHistory';
import { setFlash } from './flash';
import { Link, navigate } from './router';
import { describeSpec, scheduleZone } from './spec';
import { Instant, ZonedInstant } from './time';

const REFRESH_MS = 5_000;
const UPCOMING_COUNT = 10;

interface Upcoming {
  at: string;
  notes: string[];
}

interface Detail {
  schedule: Schedule;
  upcoming: Upcoming[];
  /** The spec in words: the schedule's, else the preview's; null when neither gives one. */
  description: string | null;
}

/**
 * The schedule's own occurrences (`GET …/upcoming`: it knows a paused schedule's and a
 * one-shot's), each with the notes `POST /schedules/preview` gives the same instant for
 * the same spec. Only crons get notes (one-shots have none), and a preview that fails
 * costs the notes, not the page.
 */
async function readUpcoming(
  path: string,
  schedule: Schedule,
): Promise<{ upcoming: Upcoming[]; description: string | null }> {
  const [upcoming, preview] = await Promise.all([
    api<{ items: string[] }>('GET', `${path}/upcoming?count=${UPCOMING_COUNT}`),
    schedule.schedule.type === 'cron'
      ? api<PreviewAnswer>('POST', '/schedules/preview', {
          body: { schedule: schedule.schedule, count: UPCOMING_COUNT },
        }).catch(() => null)
      : Promise.resolve(null),
  ]);
  const notes = new Map<number, string[]>();
  for (const item of preview?.items ?? [])
    notes.set(new Date(item.at).getTime(), item.notes);
  return {
    upcoming: upcoming.items.map((at) => ({
      at,
      notes: notes.get(new Date(at).getTime()) ?? [],
    })),
    description: preview?.description ?? null,
  };
}

/** What went wrong with an action, said so a person can act on it. */
function actionFailure(label: string, e: unknown): string {
  if (!(e instanceof ApiError)) return `${label} failed: ${String(e)}`;
  if (e.status === 403)
    return `${label} is not allowed with this API key (it needs schedules:write): ${e.message}`;
  if (e.status === 409) return `${label} refused: ${e.message}`;
  return `${label} failed: ${e.message}`;
}

/**
 * One schedule: its spec in words and fields, the next 10 occurrences with their notes,
 * the execution history with the lateness chart, and Pause, Resume, Run now, Edit and
 * Delete. Re-read every 5 s and after each action.
 */
export function ScheduleDetail({ id }: { id: string }) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [historyKey, setHistoryKey] = useState(0);
  const path = `/schedules/${encodeURIComponent(id)}`;

  const load = useCallback(async () => {
    try {
      const schedule = await api<Schedule>('GET', path);
      const { upcoming, description } = await readUpcoming(path, schedule);
      setDetail({
        schedule,
        upcoming,
        description: schedule.description ?? description,
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

  async function act(
    action: 'pause' | 'resume' | 'trigger',
    label: string,
    done: (answer: unknown) => string,
  ) {
    try {
      const answer = await api('POST', `${path}/${action}`);
      // Re-read first, so the notice never shows beside the old status.
      await load();
      setHistoryKey((k) => k + 1);
      setError(null);
      setNotice(done(answer));
    } catch (e) {
      setNotice(null);
      setError(actionFailure(label, e));
    }
  }

  async function remove(name: string) {
    setDeleting(true);
    try {
      await api('DELETE', path);
      setFlash('/', `Deleted ${name}.`);
      navigate('/');
    } catch (e) {
      setDeleting(false);
      setConfirming(false);
      setNotice(null);
      setError(actionFailure('Delete', e));
    }
  }

  const s = detail?.schedule;
  const zone = s ? scheduleZone(s.schedule) : 'UTC';
  const name = s ? (s.name ?? s.id) : 'Schedule';
  const notes = detail?.upcoming.flatMap((u) => u.notes) ?? [];
  return (
    <section aria-labelledby="detail-title">
      <p>
        <Link to="/">← All schedules</Link>
      </p>
      <h2 id="detail-title">{name}</h2>
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
              disabled={s.status === 'paused'}
              onClick={() => void act('pause', 'Pause', () => 'Paused.')}
            >
              Pause
            </button>
            <button
              type="button"
              disabled={s.status === 'active'}
              onClick={() => void act('resume', 'Resume', () => 'Resumed.')}
            >
              Resume
            </button>
            <button
              type="button"
              onClick={() =>
                void act('trigger', 'Run now', (answer) => {
                  const run = answer as Execution;
                  return `Run requested: execution ${run.id} is due now, a scheduler fires it.`;
                })
              }
            >
              Run now
            </button>
            <Link to={`${path}/edit`} className="button">
              Edit
            </Link>
            <button
              type="button"
              className="danger"
              onClick={() => setConfirming(true)}
            >
              Delete
            </button>
          </div>
          {confirming && (
            <ConfirmDialog
              title={`Delete ${name}?`}
              confirmLabel="Delete schedule"
              busy={deleting}
              onConfirm={() => void remove(name)}
              onCancel={() => setConfirming(false)}
            >
              <p>
                The schedule and its execution history are deleted for good. No
                occurrence scheduled more than 2 s from now fires.
              </p>
            </ConfirmDialog>
          )}
          <dl className="fields">
            <dt>Schedule</dt>
            <dd data-testid="spec">
              <span className="description">
                {detail.description ?? describeSpec(s.schedule)}
              </span>
              {detail.description !== null && (
                <>
                  <br />
                  <small className="muted">{describeSpec(s.schedule)}</small>
                </>
              )}
              {notes.map((note) => (
                <p key={note} className="note">
                  {note}
                </p>
              ))}
            </dd>
            <dt>Id</dt>
            <dd>{s.id}</dd>
            <dt>Owner</dt>
            <dd>{s.owner ?? ''}</dd>
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
          {s.status === 'paused' && (
            <p className="muted">
              Paused: the times it would have if resumed now.
            </p>
          )}
          <ol aria-labelledby="upcoming-title" className="upcoming">
            {detail.upcoming.map((u) => (
              <li key={u.at}>
                <ZonedInstant at={u.at} zone={zone} />
                {u.notes.map((note) => (
                  <p key={note} className="note">
                    {note}
                  </p>
                ))}
              </li>
            ))}
            {detail.upcoming.length === 0 && (
              <li className="muted">None: the schedule fires no more.</li>
            )}
          </ol>
          <ExecutionHistory path={path} zone={zone} reloadKey={historyKey} />
        </>
      )}
    </section>
  );
}
