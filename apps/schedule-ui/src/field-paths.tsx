import { type FormState, isAlwaysSecret } from './form-state';

/**
 * From the JSON path an API error names (`schedule.expression`, `trigger.headers.X-Tenant`,
 * `trigger.body.items[2]`, docs/api.md "Errors") to the id of the form input that holds
 * it, so the message can stand beside that input. The form renders its inputs with these
 * ids (`FIELD_IDS`).
 */

export const FIELD_IDS = {
  name: 'f-name',
  owner: 'f-owner',
  kind: 'f-kind-cron',
  expression: 'f-expression',
  timezone: 'f-timezone',
  at: 'f-at',
  delay: 'f-delay',
  misfirePolicy: 'f-misfire',
  maxAttempts: 'f-max-attempts',
  triggerType: 'f-trigger-type',
  url: 'f-url',
  method: 'f-method',
  headers: 'f-header-add',
  body: 'f-body',
  format: 'f-format',
  connectionId: 'f-connection',
  exchange: 'f-exchange',
  routingKey: 'f-routing-key',
  subject: 'f-subject',
  stream: 'f-stream',
  maxLen: 'f-max-len',
  topic: 'f-topic',
  qos: 'f-qos',
  retain: 'f-retain',
  key: 'f-key',
} as const;

export function headerNameId(index: number): string {
  return `f-header-name-${String(index)}`;
}
export function headerValueId(index: number): string {
  return `f-header-value-${String(index)}`;
}
export function headerSecretId(index: number): string {
  return `f-header-secret-${String(index)}`;
}

const TOP: Readonly<Record<string, string>> = {
  name: FIELD_IDS.name,
  owner: FIELD_IDS.owner,
  misfirePolicy: FIELD_IDS.misfirePolicy,
  maxAttempts: FIELD_IDS.maxAttempts,
  schedule: FIELD_IDS.kind,
  trigger: FIELD_IDS.triggerType,
};

const SCHEDULE: Readonly<Record<string, string>> = {
  type: FIELD_IDS.kind,
  expression: FIELD_IDS.expression,
  timezone: FIELD_IDS.timezone,
  at: FIELD_IDS.at,
  delay: FIELD_IDS.delay,
};

const TRIGGER: Readonly<Record<string, string>> = {
  type: FIELD_IDS.triggerType,
  url: FIELD_IDS.url,
  method: FIELD_IDS.method,
  headers: FIELD_IDS.headers,
  secretHeaders: FIELD_IDS.headers,
  body: FIELD_IDS.body,
  format: FIELD_IDS.format,
  connectionId: FIELD_IDS.connectionId,
  exchange: FIELD_IDS.exchange,
  routingKey: FIELD_IDS.routingKey,
  subject: FIELD_IDS.subject,
  stream: FIELD_IDS.stream,
  maxLen: FIELD_IDS.maxLen,
  topic: FIELD_IDS.topic,
  qos: FIELD_IDS.qos,
  retain: FIELD_IDS.retain,
  key: FIELD_IDS.key,
};

/** Messages about a header's name rather than its value (webhook.trigger-definition.ts). */
const ABOUT_THE_NAME = /header name|set by scheduleman|duplicates/;

/**
 * The input id for an error at `path`, or null when no input holds it (the summary still
 * lists it). `message` tells a header's name from its value.
 */
export function fieldIdFor(
  path: string,
  form: FormState,
  message = '',
): string | null {
  const [head = '', ...rest] = path.split('.');
  if (rest.length === 0) return TOP[head] ?? null;
  const tail = rest.join('.');
  if (head === 'schedule') return SCHEDULE[tail] ?? FIELD_IDS.kind;
  if (head !== 'trigger') return TOP[head] ?? null;

  if (tail.startsWith('headers.')) {
    const name = tail.slice('headers.'.length);
    const index = headerIndex(form, name);
    if (index < 0) return FIELD_IDS.headers;
    return ABOUT_THE_NAME.test(message)
      ? headerNameId(index)
      : headerValueId(index);
  }
  const secret = /^secretHeaders\[(\d+)\]$/.exec(tail);
  if (secret?.[1] !== undefined) {
    const nth = Number(secret[1]);
    // The rows buildTrigger lists in `secretHeaders`, in order.
    const index = form.headers
      .map((row, i) =>
        row.secret && row.name !== '' && !isAlwaysSecret(row.name) ? i : -1,
      )
      .filter((i) => i >= 0)
      .at(nth);
    return index === undefined ? FIELD_IDS.headers : headerSecretId(index);
  }
  // `body.items[2]`, `body.a.b`: the body is one text field.
  const field = /^[A-Za-z]+/.exec(tail)?.[0] ?? '';
  return TRIGGER[field] ?? FIELD_IDS.triggerType;
}

function headerIndex(form: FormState, name: string): number {
  const exact = form.headers.findIndex((r) => r.name.trim() === name);
  if (exact >= 0) return exact;
  return form.headers.findIndex(
    (r) => r.name.trim().toLowerCase() === name.toLowerCase(),
  );
}
