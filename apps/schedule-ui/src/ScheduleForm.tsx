import {
  memo,
  type SubmitEvent,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import {
  api,
  ApiError,
  type Connection,
  type Page,
  type Schedule,
} from './api';
import { FIELD_IDS, fieldIdFor } from './field-paths';
import { Field, type FieldErrors, FieldMessage, ariaFor } from './form-field';
import {
  buildCreateBody,
  buildPatchBody,
  buildSchedule,
  emptyForm,
  FormProblem,
  type FormState,
  formFromSchedule,
  hasSpec,
  MISFIRE_POLICIES,
  SCHEDULE_KINDS,
  type ScheduleKind,
} from './form-state';
import { setFlash } from './flash';
import { Link, navigate } from './router';
import { PreviewPanel, usePreview } from './SchedulePreview';
import { TriggerFields } from './TriggerFields';

const KIND_LABELS: Readonly<Record<ScheduleKind, string>> = {
  cron: 'Cron (repeats)',
  at: 'At an instant (once)',
  delay: 'After a delay (once)',
};

const MISFIRE_LABELS: Readonly<Record<string, string>> = {
  fire_once: 'fire_once: fire the latest missed one once, then continue',
  skip: 'skip: fire none of the missed ones',
  fire_all: 'fire_all: fire every missed one (at most 100)',
};

/** Every IANA zone this browser knows, for the time zone field's suggestions. */
const TIME_ZONES = (() => {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
})();

/** Rendered once: ~400 options are not re-rendered on every keystroke. */
const ZoneList = memo(function ZoneList() {
  return (
    <datalist id="time-zones">
      {TIME_ZONES.map((zone) => (
        <option key={zone} value={zone} />
      ))}
    </datalist>
  );
});

/** One problem to show: the API's path, its message, and the input it belongs to. */
interface Problem {
  field: string;
  message: string;
  inputId: string | null;
}

/**
 * Create (`/ui/new`) and edit (`/ui/schedules/:id/edit`) a schedule. The API validates:
 * a refused submit puts each `errors[]` message beside its input and lists them in an
 * alert, focusing the first. While typing, the preview shows what the spec would do.
 */
export function ScheduleForm({ id }: { id?: string }) {
  const editing = id !== undefined;
  const path = editing ? `/schedules/${encodeURIComponent(id)}` : '';
  const [initial, setInitial] = useState<FormState | null>(
    editing ? null : emptyForm(),
  );
  const [form, setForm] = useState<FormState | null>(initial);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [submits, setSubmits] = useState(0);
  const [connections, setConnections] = useState<Connection[] | string | null>(
    null,
  );
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (!editing) return;
    const controller = new AbortController();
    api<Schedule>('GET', path, { signal: controller.signal }).then(
      (schedule) => {
        const filled = formFromSchedule(schedule);
        setInitial(filled);
        setForm(filled);
      },
      (e: unknown) => {
        if (!controller.signal.aborted) setLoadError(String(e));
      },
    );
    return () => controller.abort();
  }, [editing, path]);

  const broker = form !== null && form.triggerType !== 'webhook';
  useEffect(() => {
    if (!broker || connections !== null) return;
    void listConnections().then(setConnections, (e: unknown) =>
      setConnections(String(e)),
    );
  }, [broker, connections]);

  const spec = form !== null && hasSpec(form) ? buildSchedule(form) : null;
  const preview = usePreview(spec);

  // Focus the first invalid input after a refused submit (in the form's order).
  useEffect(() => {
    if (submits === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>(
      '[aria-invalid="true"]',
    );
    if (first) first.focus();
    else document.getElementById('form-problems')?.focus();
  }, [submits]);

  const errors: FieldErrors = useMemo(() => {
    const map = new Map<string, string>();
    if (preview.state === 'refused' && form !== null)
      for (const e of preview.error.errors) {
        const inputId = fieldIdFor(e.field, form, e.message);
        if (inputId !== null) map.set(inputId, e.message);
      }
    for (const p of problems)
      if (p.inputId !== null && !map.has(p.inputId))
        map.set(p.inputId, p.message);
    return map;
  }, [preview, problems, form]);

  if (loadError !== null)
    return (
      <section aria-labelledby="form-title">
        <h2 id="form-title">Edit schedule</h2>
        <p role="alert" className="error">
          {loadError}
        </p>
      </section>
    );
  if (form === null || initial === null)
    return <p className="muted">Loading…</p>;

  const update = (patch: Partial<FormState>) =>
    setForm((f) => (f === null ? f : { ...f, ...patch }));

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    if (form === null || initial === null) return;
    setBusy(true);
    setFailure(null);
    try {
      const saved = editing
        ? await api<Schedule>('PATCH', path, {
            body: buildPatchBody(initial, form),
          })
        : await api<Schedule>('POST', '/schedules', {
            body: buildCreateBody(form),
          });
      const route = `/schedules/${encodeURIComponent(saved.id)}`;
      setFlash(route, editing ? 'Changes saved.' : 'Schedule created.');
      navigate(route);
      return;
    } catch (e) {
      const found =
        e instanceof FormProblem
          ? [{ field: e.field, message: e.message }]
          : e instanceof ApiError
            ? e.errors
            : [];
      setProblems(
        found.map((p) => ({
          ...p,
          inputId: fieldIdFor(p.field, form, p.message),
        })),
      );
      setFailure(
        e instanceof FormProblem
          ? 'The schedule was not sent:'
          : e instanceof ApiError
            ? `The API refused the schedule (${String(e.status)}${e.code === null ? '' : ` ${e.code}`}):`
            : `Could not save: ${String(e)}`,
      );
      setSubmits((n) => n + 1);
    }
    setBusy(false);
  }

  const title = editing ? 'Edit schedule' : 'New schedule';
  return (
    <section aria-labelledby="form-title" className="schedule-form">
      <p>
        <Link to={editing ? path : '/'}>
          {editing ? '← Back to the schedule' : '← All schedules'}
        </Link>
      </p>
      <h2 id="form-title">{title}</h2>
      {failure !== null && (
        <div role="alert" id="form-problems" className="problems" tabIndex={-1}>
          <p>{failure}</p>
          {problems.length > 0 && (
            <ul>
              {problems.map((p) => (
                <li key={`${p.field}:${p.message}`}>
                  {p.inputId === null ? (
                    <code>{p.field}</code>
                  ) : (
                    <a href={`#${p.inputId}`}>
                      <code>{p.field}</code>
                    </a>
                  )}
                  : {p.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="form-layout">
        <form ref={formRef} onSubmit={(e) => void submit(e)} noValidate>
          <Field id={FIELD_IDS.name} label="Name" errors={errors}>
            {(aria) => (
              <input
                {...aria}
                type="text"
                value={form.name}
                onChange={(e) => update({ name: e.target.value })}
              />
            )}
          </Field>
          <Field
            id={FIELD_IDS.owner}
            label="Owner"
            hint="Empty: your API key's owner"
            errors={errors}
          >
            {(aria) => (
              <input
                {...aria}
                type="text"
                value={form.owner}
                onChange={(e) => update({ owner: e.target.value })}
              />
            )}
          </Field>
          <fieldset>
            <legend>When</legend>
            <div role="radiogroup" aria-label="Schedule kind" className="kinds">
              {SCHEDULE_KINDS.map((kind) => (
                <span key={kind} className="checkbox">
                  <input
                    {...ariaFor(`f-kind-${kind}`, errors)}
                    type="radio"
                    name="kind"
                    value={kind}
                    checked={form.kind === kind}
                    onChange={() => update({ kind })}
                  />
                  <label htmlFor={`f-kind-${kind}`}>{KIND_LABELS[kind]}</label>
                </span>
              ))}
            </div>
            <FieldMessage id={FIELD_IDS.kind} errors={errors} />
            <SpecFields form={form} update={update} errors={errors} />
          </fieldset>
          <Field
            id={FIELD_IDS.misfirePolicy}
            label="Misfire policy"
            errors={errors}
          >
            {(aria) => (
              <select
                {...aria}
                value={form.misfirePolicy}
                onChange={(e) => update({ misfirePolicy: e.target.value })}
              >
                {MISFIRE_POLICIES.map((p) => (
                  <option key={p} value={p}>
                    {MISFIRE_LABELS[p]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            id={FIELD_IDS.maxAttempts}
            label="Max attempts"
            hint="Delivery attempts per occurrence, 1 to 20; empty: 5"
            errors={errors}
          >
            {(aria) => (
              <input
                {...aria}
                type="text"
                inputMode="numeric"
                value={form.maxAttempts}
                onChange={(e) => update({ maxAttempts: e.target.value })}
              />
            )}
          </Field>
          <TriggerFields
            form={form}
            update={update}
            errors={errors}
            connections={connections}
          />
          <div className="actions">
            <button type="submit" disabled={busy}>
              {editing ? 'Save changes' : 'Create schedule'}
            </button>
          </div>
        </form>
        <PreviewPanel preview={preview} spec={spec} />
      </div>
    </section>
  );
}

function SpecFields({
  form,
  update,
  errors,
}: {
  form: FormState;
  update: (patch: Partial<FormState>) => void;
  errors: FieldErrors;
}) {
  switch (form.kind) {
    case 'cron':
      return (
        <>
          <Field
            id={FIELD_IDS.expression}
            label="Cron expression"
            hint="5 fields (minute hour day month weekday), or 6 with seconds first"
            errors={errors}
          >
            {(aria) => (
              <input
                {...aria}
                type="text"
                spellCheck={false}
                autoComplete="off"
                value={form.expression}
                onChange={(e) => update({ expression: e.target.value })}
              />
            )}
          </Field>
          <Field
            id={FIELD_IDS.timezone}
            label="Time zone"
            hint="IANA zone the expression is read in"
            errors={errors}
          >
            {(aria) => (
              <>
                <input
                  {...aria}
                  type="text"
                  list="time-zones"
                  spellCheck={false}
                  autoComplete="off"
                  value={form.timezone}
                  onChange={(e) => update({ timezone: e.target.value })}
                />
                <ZoneList />
              </>
            )}
          </Field>
        </>
      );
    case 'at':
      return (
        <Field
          id={FIELD_IDS.at}
          label="Instant (ISO-8601 with offset)"
          hint="e.g. 2027-01-15T09:00:00+01:00 or 2027-01-15T08:00:00Z; the preview shows it in UTC and your zone"
          errors={errors}
        >
          {(aria) => (
            <input
              {...aria}
              type="text"
              spellCheck={false}
              autoComplete="off"
              value={form.at}
              onChange={(e) => update({ at: e.target.value })}
            />
          )}
        </Field>
      );
    case 'delay':
      return (
        <Field
          id={FIELD_IDS.delay}
          label="Delay (ISO-8601 duration)"
          hint="e.g. PT5M, PT1H30M, P1D; counted from when the API accepts it"
          errors={errors}
        >
          {(aria) => (
            <input
              {...aria}
              type="text"
              spellCheck={false}
              autoComplete="off"
              value={form.delay}
              onChange={(e) => update({ delay: e.target.value })}
            />
          )}
        </Field>
      );
  }
}

/** The caller's connections, every page (an owner has a handful; the API pages by 100). */
async function listConnections(): Promise<Connection[]> {
  const all: Connection[] = [];
  let cursor: string | null = null;
  do {
    const query: string =
      cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page: Page<Connection> = await api<Page<Connection>>(
      'GET',
      `/connections?limit=100${query}`,
    );
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && all.length < 1000);
  return all;
}
