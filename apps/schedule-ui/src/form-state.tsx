import type { Schedule, ScheduleSpec } from './api';

/**
 * The create/edit form as plain data, and the request bodies it turns into. Every field is
 * the text the user typed: the API validates it (one set of rules, docs/api.md), so the
 * form only shapes it into JSON. A value that cannot be JSON at all (a body that does not
 * parse) is the one check made here, because it cannot be sent.
 */

export const SCHEDULE_KINDS = ['cron', 'at', 'delay'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export const MISFIRE_POLICIES = ['fire_once', 'skip', 'fire_all'] as const;

export const WEBHOOK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Every trigger type the API knows (libs/domain/src/trigger), webhook first. */
export const TRIGGER_TYPES = [
  'webhook',
  'amqp',
  'nats',
  'redis-stream',
  'mqtt',
  'kafka',
] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];
export type BrokerTriggerType = Exclude<TriggerType, 'webhook'>;

/** The connection type each broker trigger publishes through (`redis-stream` uses `redis`). */
export const CONNECTION_TYPE_OF: Readonly<Record<BrokerTriggerType, string>> = {
  amqp: 'amqp',
  nats: 'nats',
  'redis-stream': 'redis',
  mqtt: 'mqtt',
  kafka: 'kafka',
};

/** What answers show instead of a secret header value; sent back, it keeps the stored one. */
export const SECRET_MASK = '********';

/** Secret on every webhook whatever the user marks (libs/domain secret-headers.ts). */
const ALWAYS_SECRET = ['authorization', 'proxy-authorization', 'cookie'];

export function isAlwaysSecret(name: string): boolean {
  return ALWAYS_SECRET.includes(name.trim().toLowerCase());
}

export interface HeaderRow {
  name: string;
  value: string;
  /** Listed in `secretHeaders` (webhooks only). */
  secret: boolean;
}

export interface FormState {
  name: string;
  owner: string;
  kind: ScheduleKind;
  expression: string;
  timezone: string;
  /** ISO-8601 date-time with offset, as typed. */
  at: string;
  /** ISO-8601 duration, as typed. */
  delay: string;
  misfirePolicy: string;
  /** As typed; blank = the API's default. */
  maxAttempts: string;
  triggerType: TriggerType;
  url: string;
  method: string;
  headers: HeaderRow[];
  /** JSON text; blank = the default body. */
  body: string;
  format: 'raw' | 'cloudevents';
  connectionId: string;
  exchange: string;
  routingKey: string;
  subject: string;
  stream: string;
  maxLen: string;
  topic: string;
  qos: string;
  retain: boolean;
  key: string;
}

export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function emptyForm(timezone = viewerZone()): FormState {
  return {
    name: '',
    owner: '',
    kind: 'cron',
    expression: '',
    timezone,
    at: '',
    delay: '',
    misfirePolicy: 'fire_once',
    maxAttempts: '',
    triggerType: 'webhook',
    url: '',
    method: 'POST',
    headers: [],
    body: '',
    format: 'raw',
    connectionId: '',
    exchange: '',
    routingKey: '',
    subject: '',
    stream: '',
    maxLen: '',
    topic: '',
    qos: '1',
    retain: false,
    key: '',
  };
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return '';
}

/** The form filled with a stored schedule (edit). */
export function formFromSchedule(schedule: Schedule): FormState {
  const form = emptyForm();
  const spec = schedule.schedule;
  const trigger = schedule.trigger as Record<string, unknown>;
  const type = text(trigger['type']);
  const secret = Array.isArray(trigger['secretHeaders'])
    ? (trigger['secretHeaders'] as unknown[]).map((n) => text(n).toLowerCase())
    : [];
  const headers =
    typeof trigger['headers'] === 'object' && trigger['headers'] !== null
      ? Object.entries(trigger['headers'] as Record<string, unknown>)
      : [];
  return {
    ...form,
    name: schedule.name ?? '',
    owner: schedule.owner ?? '',
    kind: spec.type,
    expression: spec.expression ?? '',
    timezone: spec.type === 'cron' ? (spec.timezone ?? 'UTC') : form.timezone,
    at: spec.type === 'at' ? (spec.at ?? '') : '',
    delay: spec.delay ?? '',
    misfirePolicy: schedule.misfirePolicy,
    maxAttempts: String(schedule.maxAttempts),
    triggerType: (TRIGGER_TYPES as readonly string[]).includes(type)
      ? (type as TriggerType)
      : 'webhook',
    url: text(trigger['url']),
    method: text(trigger['method']) || 'POST',
    headers: headers.map(([name, value]) => ({
      name,
      value: text(value),
      secret: secret.includes(name.toLowerCase()),
    })),
    body:
      trigger['body'] === undefined
        ? ''
        : JSON.stringify(trigger['body'], null, 2),
    format: trigger['format'] === 'cloudevents' ? 'cloudevents' : 'raw',
    connectionId: text(trigger['connectionId']),
    exchange: text(trigger['exchange']),
    routingKey: text(trigger['routingKey']),
    subject: text(trigger['subject']),
    stream: text(trigger['stream']),
    maxLen: text(trigger['maxLen']),
    topic: text(trigger['topic']),
    qos: text(trigger['qos']) || '1',
    retain: trigger['retain'] === true,
    key: text(trigger['key']),
  };
}

/** The `schedule` of a request: only the fields of the chosen kind. */
export function buildSchedule(form: FormState): ScheduleSpec {
  switch (form.kind) {
    case 'cron':
      return {
        type: 'cron',
        expression: form.expression.trim(),
        timezone: form.timezone.trim(),
      };
    case 'at':
      return { type: 'at', at: form.at.trim() };
    case 'delay':
      return { type: 'delay', delay: form.delay.trim() };
  }
}

/** Is there enough of a spec to ask the API about (a preview of a blank field is noise)? */
export function hasSpec(form: FormState): boolean {
  const spec = buildSchedule(form);
  const value = form.kind === 'cron' ? spec.expression : spec[form.kind];
  return value !== undefined && value !== '';
}

/** A problem found before sending, named like the API names its fields. */
export class FormProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A number field: a number when it reads as one, else the text as typed, so the API
 * refuses it with its own message naming the field; undefined when blank.
 */
function numberOrText(value: string): number | string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : trimmed;
}

function parseBody(form: FormState): unknown {
  if (form.body.trim() === '') return undefined;
  try {
    return JSON.parse(form.body) as unknown;
  } catch (e) {
    throw new FormProblem(
      'trigger.body',
      `is not valid JSON (${e instanceof Error ? e.message : String(e)}); leave it empty for the default body`,
    );
  }
}

function headerMap(form: FormState): Record<string, string> | undefined {
  const rows = form.headers.filter((r) => r.name !== '' || r.value !== '');
  if (rows.length === 0) return undefined;
  return Object.fromEntries(rows.map((r) => [r.name.trim(), r.value]));
}

/** The `trigger` of a request; throws FormProblem for a body that is not JSON. */
export function buildTrigger(form: FormState): Record<string, unknown> {
  const trigger: Record<string, unknown> = { type: form.triggerType };
  const headers = headerMap(form);
  const body = parseBody(form);
  if (form.triggerType === 'webhook') {
    trigger['url'] = form.url.trim();
    trigger['method'] = form.method;
    if (headers !== undefined) trigger['headers'] = headers;
    const secret = form.headers
      .filter((r) => r.secret && r.name !== '' && !isAlwaysSecret(r.name))
      .map((r) => r.name.trim());
    if (secret.length > 0) trigger['secretHeaders'] = secret;
  } else {
    trigger['connectionId'] = form.connectionId;
    if (headers !== undefined) trigger['headers'] = headers;
  }
  switch (form.triggerType) {
    case 'webhook':
      break;
    case 'amqp':
      trigger['exchange'] = form.exchange.trim();
      if (form.routingKey !== '') trigger['routingKey'] = form.routingKey;
      break;
    case 'nats':
      trigger['subject'] = form.subject.trim();
      break;
    case 'redis-stream': {
      trigger['stream'] = form.stream.trim();
      const maxLen = numberOrText(form.maxLen);
      if (maxLen !== undefined) trigger['maxLen'] = maxLen;
      break;
    }
    case 'mqtt':
      trigger['topic'] = form.topic.trim();
      trigger['qos'] = Number(form.qos);
      trigger['retain'] = form.retain;
      break;
    case 'kafka':
      trigger['topic'] = form.topic.trim();
      if (form.key !== '') trigger['key'] = form.key;
      break;
  }
  if (body !== undefined) trigger['body'] = body;
  if (form.format === 'cloudevents') trigger['format'] = 'cloudevents';
  return trigger;
}

/** Body of `POST /schedules`: blank optional fields are left out (the API's defaults). */
export function buildCreateBody(form: FormState): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (form.name.trim() !== '') body['name'] = form.name.trim();
  if (form.owner.trim() !== '') body['owner'] = form.owner.trim();
  body['schedule'] = buildSchedule(form);
  body['trigger'] = buildTrigger(form);
  body['misfirePolicy'] = form.misfirePolicy;
  const maxAttempts = numberOrText(form.maxAttempts);
  if (maxAttempts !== undefined) body['maxAttempts'] = maxAttempts;
  return body;
}

/**
 * Body of `PATCH /schedules/:id`: only the top-level fields whose request form differs
 * from the one the stored schedule gives (so an untouched timing is not re-sent, which
 * would recompute `nextRunAt` and restart a delay). A blank name or owner is `null`
 * (cleared). A changed trigger goes whole, its masked secret values included: the API
 * keeps the stored value of a header sent as the mask.
 */
export function buildPatchBody(
  initial: FormState,
  form: FormState,
): Record<string, unknown> {
  const before = fieldsOf(initial);
  const after = fieldsOf(form);
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(after))
    if (JSON.stringify(value) !== JSON.stringify(before[field]))
      body[field] = value;
  return body;
}

function fieldsOf(form: FormState): Record<string, unknown> {
  return {
    name: form.name.trim() === '' ? null : form.name.trim(),
    owner: form.owner.trim() === '' ? null : form.owner.trim(),
    schedule: buildSchedule(form),
    trigger: buildTrigger(form),
    misfirePolicy: form.misfirePolicy,
    maxAttempts: numberOrText(form.maxAttempts),
  };
}
