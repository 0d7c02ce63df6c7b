import type { Connection } from './api';
import {
  FIELD_IDS,
  headerNameId,
  headerSecretId,
  headerValueId,
} from './field-paths';
import { ariaFor, Field, type FieldErrors, FieldMessage } from './form-field';
import {
  CONNECTION_TYPE_OF,
  type FormState,
  type HeaderRow,
  isAlwaysSecret,
  SECRET_MASK,
  TRIGGER_TYPES,
  type TriggerType,
  WEBHOOK_METHODS,
} from './form-state';

type Update = (patch: Partial<FormState>) => void;

const TRIGGER_LABELS: Readonly<Record<TriggerType, string>> = {
  webhook: 'Webhook (HTTP)',
  amqp: 'AMQP (RabbitMQ)',
  nats: 'NATS JetStream',
  'redis-stream': 'Redis stream',
  mqtt: 'MQTT',
  kafka: 'Kafka',
};

/**
 * The trigger part of the form: the type, then that type's fields (docs/triggers.md).
 * Broker types pick one of the caller's connections of the matching type.
 */
export function TriggerFields({
  form,
  update,
  errors,
  connections,
}: {
  form: FormState;
  update: Update;
  errors: FieldErrors;
  connections: Connection[] | string | null;
}) {
  const type = form.triggerType;
  return (
    <fieldset>
      <legend>Trigger</legend>
      <Field id={FIELD_IDS.triggerType} label="Trigger type" errors={errors}>
        {(aria) => (
          <select
            {...aria}
            value={type}
            onChange={(e) =>
              update({ triggerType: e.target.value as TriggerType })
            }
          >
            {TRIGGER_TYPES.map((t) => (
              <option key={t} value={t}>
                {TRIGGER_LABELS[t]}
              </option>
            ))}
          </select>
        )}
      </Field>
      {type === 'webhook' ? (
        <>
          <Field
            id={FIELD_IDS.url}
            label="URL"
            hint="http or https; may hold placeholders such as {{scheduleId}} in the path or query"
            errors={errors}
          >
            {(aria) => (
              <input
                {...aria}
                type="text"
                inputMode="url"
                spellCheck={false}
                value={form.url}
                onChange={(e) => update({ url: e.target.value })}
              />
            )}
          </Field>
          <Field id={FIELD_IDS.method} label="Method" errors={errors}>
            {(aria) => (
              <select
                {...aria}
                value={form.method}
                onChange={(e) => update({ method: e.target.value })}
              >
                {WEBHOOK_METHODS.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            )}
          </Field>
        </>
      ) : (
        <BrokerFields
          form={form}
          update={update}
          errors={errors}
          connections={connections}
        />
      )}
      <HeaderRows
        rows={form.headers}
        webhook={type === 'webhook'}
        onChange={(headers) => update({ headers })}
        errors={errors}
      />
      <Field
        id={FIELD_IDS.body}
        label="Body (JSON)"
        hint="Empty: the default body { scheduleId, executionId, scheduledAt, attempt, name }"
        errors={errors}
      >
        {(aria) => (
          <textarea
            {...aria}
            rows={4}
            spellCheck={false}
            value={form.body}
            onChange={(e) => update({ body: e.target.value })}
          />
        )}
      </Field>
      <Field id={FIELD_IDS.format} label="Format" errors={errors}>
        {(aria) => (
          <select
            {...aria}
            value={form.format}
            onChange={(e) =>
              update({ format: e.target.value as FormState['format'] })
            }
          >
            <option value="raw">raw (the body as is)</option>
            <option value="cloudevents">CloudEvents 1.0 (binary mode)</option>
          </select>
        )}
      </Field>
    </fieldset>
  );
}

function BrokerFields({
  form,
  update,
  errors,
  connections,
}: {
  form: FormState;
  update: Update;
  errors: FieldErrors;
  connections: Connection[] | string | null;
}) {
  const type = form.triggerType;
  if (type === 'webhook') return null;
  const connectionType = CONNECTION_TYPE_OF[type];
  const usable = Array.isArray(connections)
    ? connections.filter((c) => c.type === connectionType)
    : [];
  const text = (
    field: 'exchange' | 'routingKey' | 'subject' | 'stream' | 'topic' | 'key',
    label: string,
    hint?: string,
  ) => (
    <Field id={FIELD_IDS[field]} label={label} hint={hint} errors={errors}>
      {(aria) => (
        <input
          {...aria}
          type="text"
          spellCheck={false}
          value={form[field]}
          onChange={(e) => update({ [field]: e.target.value })}
        />
      )}
    </Field>
  );
  return (
    <>
      <Field
        id={FIELD_IDS.connectionId}
        label="Connection"
        hint={
          typeof connections === 'string'
            ? `Could not list connections: ${connections}`
            : connections !== null && usable.length === 0
              ? `No ${connectionType} connection yet: create one with POST /connections`
              : undefined
        }
        errors={errors}
      >
        {(aria) => (
          <select
            {...aria}
            value={form.connectionId}
            onChange={(e) => update({ connectionId: e.target.value })}
          >
            <option value="">
              {connections === null ? 'Loading…' : 'Choose a connection'}
            </option>
            {usable.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.url})
              </option>
            ))}
            {form.connectionId !== '' &&
              !usable.some((c) => c.id === form.connectionId) && (
                <option value={form.connectionId}>{form.connectionId}</option>
              )}
          </select>
        )}
      </Field>
      {type === 'amqp' && (
        <>
          {text('exchange', 'Exchange', 'Empty: the default exchange')}
          {text('routingKey', 'Routing key')}
        </>
      )}
      {type === 'nats' && text('subject', 'Subject', 'e.g. jobs.created')}
      {type === 'redis-stream' && (
        <>
          {text('stream', 'Stream')}
          <Field
            id={FIELD_IDS.maxLen}
            label="Max length"
            hint="Trim to about this many entries (at least 100); empty: no trimming"
            errors={errors}
          >
            {(aria) => (
              <input
                {...aria}
                type="text"
                inputMode="numeric"
                value={form.maxLen}
                onChange={(e) => update({ maxLen: e.target.value })}
              />
            )}
          </Field>
        </>
      )}
      {type === 'mqtt' && (
        <>
          {text('topic', 'Topic', 'e.g. jobs/created')}
          <Field id={FIELD_IDS.qos} label="QoS" errors={errors}>
            {(aria) => (
              <select
                {...aria}
                value={form.qos}
                onChange={(e) => update({ qos: e.target.value })}
              >
                <option value="1">1 (at least once)</option>
                <option value="2">2 (exactly once)</option>
              </select>
            )}
          </Field>
          <div className="field checkbox">
            <input
              {...ariaFor(FIELD_IDS.retain, errors)}
              type="checkbox"
              checked={form.retain}
              onChange={(e) => update({ retain: e.target.checked })}
            />
            <label htmlFor={FIELD_IDS.retain}>Retain</label>
            <FieldMessage id={FIELD_IDS.retain} errors={errors} />
          </div>
        </>
      )}
      {type === 'kafka' && (
        <>
          {text('topic', 'Topic')}
          {text('key', 'Record key', 'Empty: the schedule id')}
        </>
      )}
    </>
  );
}

/** Headers as name/value rows; secret values arrive masked and stay masked unless retyped. */
function HeaderRows({
  rows,
  webhook,
  onChange,
  errors,
}: {
  rows: HeaderRow[];
  webhook: boolean;
  onChange: (rows: HeaderRow[]) => void;
  errors: FieldErrors;
}) {
  const set = (index: number, patch: Partial<HeaderRow>) =>
    onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <fieldset className="headers">
      <legend>{webhook ? 'Headers' : 'Message headers'}</legend>
      {rows.map((row, i) => {
        const n = String(i + 1);
        const always = webhook && isAlwaysSecret(row.name);
        return (
          <div className="header-row" key={i}>
            <Field
              id={headerNameId(i)}
              label={`Header ${n} name`}
              errors={errors}
            >
              {(aria) => (
                <input
                  {...aria}
                  type="text"
                  spellCheck={false}
                  value={row.name}
                  onChange={(e) => set(i, { name: e.target.value })}
                />
              )}
            </Field>
            <Field
              id={headerValueId(i)}
              label={`Header ${n} value`}
              hint={
                row.value === SECRET_MASK
                  ? 'Stored secret: kept unless you type a new value'
                  : undefined
              }
              errors={errors}
            >
              {(aria) => (
                <input
                  {...aria}
                  type="text"
                  spellCheck={false}
                  value={row.value}
                  onChange={(e) => set(i, { value: e.target.value })}
                />
              )}
            </Field>
            {webhook && (
              <div className="field checkbox">
                <input
                  {...ariaFor(headerSecretId(i), errors)}
                  type="checkbox"
                  checked={always || row.secret}
                  disabled={always}
                  onChange={(e) => set(i, { secret: e.target.checked })}
                />
                <label htmlFor={headerSecretId(i)}>
                  Header {n} secret{always ? ' (always)' : ''}
                </label>
                <FieldMessage id={headerSecretId(i)} errors={errors} />
              </div>
            )}
            <button
              type="button"
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              Remove header {n}
            </button>
          </div>
        );
      })}
      <button
        type="button"
        {...ariaFor(FIELD_IDS.headers, errors)}
        onClick={() =>
          onChange([...rows, { name: '', value: '', secret: false }])
        }
      >
        Add header
      </button>
      <FieldMessage id={FIELD_IDS.headers} errors={errors} />
    </fieldset>
  );
}
