import {
  defaultDeliveryBody,
  cloudEventOf,
  type FireRequest,
  httpBinaryHeaders,
  isCloudEventsTrigger,
  isReservedWebhookHeader,
  renderBodyJson,
  renderHeaderTemplate,
  renderUrlTemplate,
  type TemplateVars,
  templateVarsOf,
  scheduledAtText,
  type SigningSecret,
  signWebhook,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type WebhookTriggerSpec,
} from '@scheduleman/domain';

/** What goes on the wire for one attempt, before a client sends it. */
export interface WebhookCall {
  url: string;
  /** `url` split for clients that pool by origin: scheme://host:port ... */
  origin: string;
  /** ... and path with query. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

const USER_AGENT = 'scheduleman-webhook';

function isWebhookTrigger(
  trigger: FireRequest['trigger'],
): trigger is WebhookTriggerSpec {
  return (
    trigger.type === 'webhook' &&
    typeof (trigger as Partial<WebhookTriggerSpec>).url === 'string'
  );
}

interface Target {
  url: string;
  origin: string;
  path: string;
}

/**
 * Parsed webhook URLs by their stored text. A scheduler fires the same few URLs
 * thousands of times a second; parsing each time showed in the profile. Bounded: cleared
 * when full, which only costs re-parsing.
 */
const parsedTargets = new Map<string, Target | { invalid: string }>();
const MAX_PARSED_TARGETS = 10_000;

/** `vars` only for a templated URL. */
function parseTarget(
  text: string,
  vars: TemplateVars | undefined,
): Target | { invalid: string } {
  // A templated URL is rendered per fire and may differ every time ({{executionId}}):
  // caching those would only evict the URLs worth caching.
  if (vars !== undefined) return parseTargetUncached(text, vars);
  let target = parsedTargets.get(text);
  if (target) return target;
  target = parseTargetUncached(text);
  if (parsedTargets.size >= MAX_PARSED_TARGETS) parsedTargets.clear();
  parsedTargets.set(text, target);
  return target;
}

function parseTargetUncached(
  text: string,
  vars?: TemplateVars,
): Target | { invalid: string } {
  let url: URL;
  try {
    url = new URL(vars === undefined ? text : renderUrlTemplate(text, vars));
  } catch {
    return { invalid: 'invalid webhook url' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { invalid: `unsupported webhook url scheme ${url.protocol}` };
  }
  if (url.username !== '' || url.password !== '') {
    // Clients pool by origin, which has no credentials: they would be dropped silently.
    return { invalid: 'webhook url must not contain credentials' };
  }
  return {
    url: url.toString(),
    origin: url.origin,
    path: url.pathname + url.search,
  };
}

/** What signs one attempt (Standard Webhooks; see libs/domain webhook-signature.ts). */
export interface WebhookSigning {
  /** Unix seconds of this attempt, sent as webhook-timestamp. */
  timestampSeconds: number;
  /** The active secrets of the delivery, already decoded; none = unsigned. */
  secrets: readonly SigningSecret[];
}

/**
 * Builds the HTTP call for one attempt of a webhook trigger, or explains why the stored
 * trigger can never be sent (a permanent failure, not worth retrying).
 *
 * Body rules: GET never carries a body (many servers and proxies reject or drop it);
 * DELETE carries one only when configured; POST, PUT and PATCH carry the configured body
 * or, when none is configured, the default body. Content-Type is sent with every body.
 *
 * Every attempt carries webhook-id (the execution id, so the same on every retry) and
 * webhook-timestamp; webhook-signature too when there is a secret. The body is built
 * (and its placeholders rendered) once here and the signature covers exactly that
 * string's UTF-8 bytes, which is what the client sends.
 *
 * With format cloudevents the same request is a CloudEvent in HTTP binary mode: the
 * body is its data, the ce-* headers its attributes; every other header stays.
 */
export function buildWebhookCall<S extends AbortSignal | undefined = undefined>(
  request: FireRequest,
  signing: WebhookSigning,
  /** Carried on the call for the client (HttpRequest), so no copy is made to add it. */
  signal?: S,
): (WebhookCall & { signal: S }) | { invalid: string } {
  const trigger = request.trigger;
  if (!isWebhookTrigger(trigger))
    return { invalid: 'invalid webhook trigger: url is missing' };
  // Built at most once, and only for a trigger that templates something: a trigger
  // without "{{" costs one includes() per string (docs/triggers.md, "Templates").
  let vars: TemplateVars | undefined;
  const varsOf = (): TemplateVars => (vars ??= templateVarsOf(request));
  const target = parseTarget(
    trigger.url,
    trigger.url.includes('{{') ? varsOf() : undefined,
  );
  if ('invalid' in target) return target;
  const method = (
    typeof trigger.method === 'string' ? trigger.method : 'POST'
  ).toUpperCase();

  const configured =
    Object.prototype.hasOwnProperty.call(trigger, 'body') &&
    trigger.body !== undefined;
  let body: string | undefined;
  if (method === 'GET') body = undefined;
  else if (configured) body = renderBodyJson(trigger.body, request, vars);
  else if (method !== 'DELETE')
    body = JSON.stringify(defaultDeliveryBody(request));

  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  // A stored row is only as well-formed as the rules were when it was written.
  const stored = trigger.headers as Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(stored ?? {})) {
    // The API already rejects reserved names; rows can predate a rule, so they are
    // dropped here again: the receiver must be able to trust ours, above all the
    // Idempotency-Key.
    if (typeof value !== 'string' || isReservedWebhookHeader(name)) continue;
    const rendered = value.includes('{{')
      ? renderHeaderTemplate(name, value, varsOf())
      : value;
    if (typeof rendered !== 'string') return rendered;
    headers[name.toLowerCase()] = rendered;
  }
  // CloudEvents binary mode: the attributes as ce-* headers beside the same body (the
  // event's data), after the user's headers so they cannot be replaced.
  if (isCloudEventsTrigger(trigger))
    Object.assign(headers, httpBinaryHeaders(cloudEventOf(request, body)));
  headers['idempotency-key'] = request.executionId;
  headers['x-scheduleman-schedule-id'] = request.scheduleId;
  headers['x-scheduleman-execution-id'] = request.executionId;
  headers['x-scheduleman-scheduled-at'] = scheduledAtText(request);
  headers['x-scheduleman-attempt'] = String(request.attempt);
  if (request.resultToken !== undefined)
    headers['x-scheduleman-result-token'] = request.resultToken;
  if (request.resultUrl !== undefined)
    headers['x-scheduleman-result-url'] = request.resultUrl;
  if (body !== undefined) headers['content-type'] = 'application/json';
  headers[WEBHOOK_ID_HEADER] = request.executionId;
  headers[WEBHOOK_TIMESTAMP_HEADER] = String(signing.timestampSeconds);
  const signature = signWebhook({
    id: request.executionId,
    timestampSeconds: signing.timestampSeconds,
    body: body ?? '',
    secrets: signing.secrets,
  });
  if (signature !== undefined) headers[WEBHOOK_SIGNATURE_HEADER] = signature;

  return {
    url: target.url,
    origin: target.origin,
    path: target.path,
    method,
    headers,
    body,
    signal: signal as S,
  };
}
