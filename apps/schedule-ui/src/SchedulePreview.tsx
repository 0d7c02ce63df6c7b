import { useEffect, useState } from 'react';
import { api, ApiError, type PreviewAnswer, type ScheduleSpec } from './api';
import { useDebouncedValue } from './debounce';
import { scheduleZone } from './spec';
import { ZonedInstant } from './time';

/** Quiet time after the last keystroke before the preview is asked for. */
export const PREVIEW_DEBOUNCE_MS = 300;
export const PREVIEW_COUNT = 10;

export type PreviewState =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'done'; answer: PreviewAnswer }
  | { state: 'refused'; error: ApiError }
  | { state: 'failed'; message: string };

/**
 * The next occurrences of the spec being typed, from `POST /schedules/preview` (the code
 * that fires them: the UI computes no times). Asked for once the spec has been still for
 * PREVIEW_DEBOUNCE_MS; a request still in flight when the spec changes is aborted, so a
 * slow stale answer can never replace a newer one. `spec` null: nothing to preview.
 */
export function usePreview(spec: ScheduleSpec | null): PreviewState {
  const key = spec === null ? '' : JSON.stringify(spec);
  const settled = useDebouncedValue(key, PREVIEW_DEBOUNCE_MS);
  const [preview, setPreview] = useState<PreviewState>({ state: 'idle' });

  useEffect(() => {
    if (settled === '') {
      setPreview({ state: 'idle' });
      return;
    }
    const controller = new AbortController();
    setPreview({ state: 'loading' });
    api<PreviewAnswer>('POST', '/schedules/preview', {
      body: {
        schedule: JSON.parse(settled) as unknown,
        count: PREVIEW_COUNT,
      },
      signal: controller.signal,
    }).then(
      (answer) => setPreview({ state: 'done', answer }),
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setPreview(
          e instanceof ApiError && e.status === 400
            ? { state: 'refused', error: e }
            : { state: 'failed', message: String(e) },
        );
      },
    );
    return () => controller.abort();
  }, [settled]);

  return preview;
}

/**
 * The preview region: announced politely to screen readers as it changes. Each
 * occurrence shows in the schedule's zone and the viewer's; one with notes (a DST gap or
 * overlap, a day some months lack) is marked and its notes are listed under it.
 */
export function PreviewPanel({
  preview,
  spec,
}: {
  preview: PreviewState;
  spec: ScheduleSpec | null;
}) {
  const zone = spec === null ? 'UTC' : scheduleZone(spec);
  return (
    <section
      className="preview"
      aria-live="polite"
      aria-labelledby="preview-title"
    >
      <h3 id="preview-title">Preview</h3>
      {preview.state === 'idle' && (
        <p className="muted">
          The next occurrences show here as you type the schedule.
        </p>
      )}
      {preview.state === 'loading' && <p className="muted">Computing…</p>}
      {preview.state === 'refused' && (
        <p className="muted">
          No preview: the API refused the schedule (see the message beside the
          field).
        </p>
      )}
      {preview.state === 'failed' && (
        <p className="error">Preview unavailable: {preview.message}</p>
      )}
      {preview.state === 'done' && (
        <>
          {preview.answer.description !== undefined && (
            <p data-testid="preview-description">
              {preview.answer.description}
            </p>
          )}
          {preview.answer.items.length === 0 ? (
            <p className="muted">It never fires again.</p>
          ) : (
            <ol className="occurrences">
              {preview.answer.items.map((item) => (
                <li
                  key={item.at}
                  className={item.notes.length > 0 ? 'has-notes' : undefined}
                >
                  <ZonedInstant at={item.at} zone={zone} />
                  {item.notes.length > 0 && (
                    <ul className="notes">
                      {item.notes.map((note) => (
                        <li key={note}>
                          <strong>Note:</strong> {note}
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}
