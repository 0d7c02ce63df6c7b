import { CONTROL_CHARACTER } from '../control-character';
import { ValidationError } from '../errors';
import { parseTriggerFormat } from './cloudevents';
import { literalHostProblem, type NetworkPolicy } from './network-policy';
import { parseSecretHeaders } from './secret-headers';
import { checkTemplate } from './template';
import {
  checkUrlTemplate,
  isValidHeaderValue,
  sampleUrlOf,
} from './template-fields';
import {
  type TriggerDefinition,
  WEBHOOK_METHODS,
  type WebhookMethod,
  type WebhookTriggerSpec,
} from './trigger-spec';

export const WEBHOOK_LIMITS = {
  /**
   * Longest webhook URL, in characters after trimming (2048: what browsers, proxies and
   * CDNs reliably carry; a longer URL is a payload smuggled into the path or query).
   */
  maxUrlLength: 2048,
  /** Most headers on one webhook. */
  maxHeaders: 50,
  /** Sum over headers of name + value + 4 (": " and CRLF), as on the wire. */
  maxHeaderBytes: 8 * 1024,
  /** Size of JSON.stringify(body) in UTF-8 bytes. */
  maxBodyBytes: 64 * 1024,
} as const;

/**
 * Headers that scheduleman sets itself and a user may not override (case-insensitive):
 * Idempotency-Key and X-Scheduleman-* carry the delivery contract, and so does Webhook-*
 * (Standard Webhooks: webhook-id, -timestamp, -signature, whatever the standard adds;
 * receivers verify a delivery with them); Content-Type always
 * describes the body scheduleman sends (JSON); the others are hop-by-hop or framing
 * headers that the HTTP client owns, and overriding them would corrupt the request. The
 * API rejects them and the scheduler drops them (rows may predate a rule): one list.
 */
export const RESERVED_WEBHOOK_HEADERS: readonly string[] = [
  'Idempotency-Key',
  'X-Scheduleman-*',
  'Webhook-*',
  'Content-Type',
  'Host',
  'Content-Length',
  'Connection',
  'Transfer-Encoding',
  'Keep-Alive',
  'Proxy-Connection',
  'Upgrade',
  'TE',
  'Trailer',
  'Expect',
];

const ALLOWED_FIELDS = [
  'type',
  'url',
  'method',
  'headers',
  'secretHeaders',
  'body',
  'format',
];
/** RFC 7230 token. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isReservedWebhookHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_WEBHOOK_HEADERS.some((reserved) => {
    const pattern = reserved.toLowerCase();
    return pattern.endsWith('*')
      ? lower.startsWith(pattern.slice(0, -1))
      : lower === pattern;
  });
}

export const WEBHOOK_TRIGGER: TriggerDefinition<WebhookTriggerSpec> = {
  type: 'webhook',
  parse(input, field, context) {
    for (const key of Object.keys(input)) {
      if (!ALLOWED_FIELDS.includes(key)) {
        throw new ValidationError(
          `${field}.${key}`,
          `unknown field (a webhook trigger has ${ALLOWED_FIELDS.join(', ')})`,
        );
      }
    }
    const method = parseMethod(input['method'], `${field}.method`);
    const spec: WebhookTriggerSpec = {
      type: 'webhook',
      url: parseUrl(input['url'], `${field}.url`, context.networkPolicy),
      method,
      headers: parseHeaderMap(input['headers'], `${field}.headers`),
    };
    const secretHeaders = parseSecretHeaders(
      input['secretHeaders'],
      spec.headers,
      `${field}.secretHeaders`,
    );
    if (secretHeaders !== undefined) spec.secretHeaders = secretHeaders;
    if (input['body'] !== undefined)
      spec.body = parseBody(input['body'], method, `${field}.body`);
    const format = parseTriggerFormat(input['format'], `${field}.format`);
    if (format !== undefined) spec.format = format;
    return spec;
  },
};

/**
 * URLs parseUrl accepted, per network policy: a batch of creations often repeats one
 * (POST /schedules/batch; the URL parse and the literal-address check were ~6 % of the
 * API's CPU creating 1,000 at a time). Only accepted texts are kept, and the answer
 * depends on nothing else, so a hit returns what the checks would.
 */
const acceptedUrls = new WeakMap<NetworkPolicy, Set<string>>();
const MAX_ACCEPTED_URLS = 1_000;

function parseUrl(
  input: unknown,
  field: string,
  networkPolicy: NetworkPolicy,
): string {
  if (input === undefined || input === null)
    throw new ValidationError(field, 'is required');
  if (typeof input !== 'string')
    throw new ValidationError(field, 'must be a string');
  const text = input.trim();
  let accepted = acceptedUrls.get(networkPolicy);
  if (accepted?.has(text)) return text;
  checkUrl(text, field, networkPolicy);
  if (!accepted) acceptedUrls.set(networkPolicy, (accepted = new Set()));
  if (accepted.size >= MAX_ACCEPTED_URLS) accepted.clear();
  accepted.add(text);
  return text;
}

/** Throws the ValidationError of the first rule `text` breaks. */
function checkUrl(
  text: string,
  field: string,
  networkPolicy: NetworkPolicy,
): void {
  if (text.length > WEBHOOK_LIMITS.maxUrlLength) {
    throw new ValidationError(
      field,
      `must be at most ${WEBHOOK_LIMITS.maxUrlLength} characters`,
    );
  }
  if (CONTROL_CHARACTER.test(text))
    throw new ValidationError(
      field,
      'contains a control character (such as CR, LF or tab); percent-encode it',
    );
  checkTemplate(text, field);
  checkUrlTemplate(text, field);
  // Placeholders sit in the path or query only, so the sample has the host of every
  // rendered URL: the one checked below.
  let url: URL;
  try {
    url = new URL(sampleUrlOf(text));
  } catch {
    throw new ValidationError(
      field,
      `"${text}" is not an absolute URL; expected e.g. "https://example.com/hook"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(
      field,
      `scheme "${url.protocol.slice(0, -1)}" is not allowed; use http or https`,
    );
  }
  if (url.hostname === '') throw new ValidationError(field, 'must name a host');
  if (url.username !== '' || url.password !== '') {
    // Credentials in a URL end up in logs and in every GET of the schedule.
    throw new ValidationError(
      field,
      'must not contain credentials; send them in a header such as Authorization',
    );
  }
  // A literal address is refused here; a name is checked on every address it resolves
  // to when the scheduler connects (DNS can change between now and then).
  const problem = literalHostProblem(url.hostname, networkPolicy);
  if (problem !== undefined) throw new ValidationError(field, problem);
}

function parseMethod(input: unknown, field: string): WebhookMethod {
  if (input === undefined || input === null) return 'POST';
  const method =
    typeof input === 'string' ? input.trim().toUpperCase() : undefined;
  if (
    method === undefined ||
    !(WEBHOOK_METHODS as readonly string[]).includes(method)
  ) {
    throw new ValidationError(
      field,
      `must be one of ${WEBHOOK_METHODS.join(', ')}; got ${JSON.stringify(input)}`,
    );
  }
  return method as WebhookMethod;
}

/**
 * A map of header names to values, as every trigger with headers takes it (webhook and
 * the brokers' message headers): RFC 7230 names, none reserved, none twice in any case,
 * values without control characters, WEBHOOK_LIMITS on count and bytes.
 */
export function parseHeaderMap(
  input: unknown,
  field: string,
): Record<string, string> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError(
      field,
      'must be an object of header names to string values',
    );
  }
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length > WEBHOOK_LIMITS.maxHeaders) {
    throw new ValidationError(
      field,
      `has ${entries.length} headers; at most ${WEBHOOK_LIMITS.maxHeaders} are allowed`,
    );
  }
  const seen = new Set<string>();
  const headers: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of entries) {
    const path = `${field}.${name}`;
    if (!HEADER_NAME.test(name))
      throw new ValidationError(
        path,
        'is not a valid header name (RFC 7230 token)',
      );
    if (isReservedWebhookHeader(name)) {
      throw new ValidationError(
        path,
        `is set by scheduleman and cannot be overridden (reserved: ${RESERVED_WEBHOOK_HEADERS.join(', ')})`,
      );
    }
    if (seen.has(name.toLowerCase()))
      throw new ValidationError(
        path,
        'duplicates another header (names are case-insensitive)',
      );
    seen.add(name.toLowerCase());
    if (typeof value !== 'string')
      throw new ValidationError(path, 'must be a string');
    if (!isValidHeaderValue(value)) {
      throw new ValidationError(
        path,
        'contains characters not allowed in a header value (control characters such as CR/LF, or non-Latin-1)',
      );
    }
    checkTemplate(value, path);
    bytes +=
      Buffer.byteLength(name, 'latin1') +
      Buffer.byteLength(value, 'latin1') +
      4;
    headers[name] = value;
  }
  if (bytes > WEBHOOK_LIMITS.maxHeaderBytes) {
    throw new ValidationError(
      field,
      `total ${bytes} bytes; at most ${WEBHOOK_LIMITS.maxHeaderBytes} are allowed`,
    );
  }
  return headers;
}

function parseBody(
  input: unknown,
  method: WebhookMethod,
  field: string,
): unknown {
  if (method === 'GET')
    throw new ValidationError(field, 'is not allowed with method GET');
  return parseJsonBody(input, field);
}

/** Any JSON value of at most WEBHOOK_LIMITS.maxBodyBytes as JSON: every trigger's `body`. */
export function parseJsonBody(input: unknown, field: string): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch {
    json = undefined;
  }
  if (json === undefined)
    throw new ValidationError(field, 'must be a JSON value');
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > WEBHOOK_LIMITS.maxBodyBytes) {
    throw new ValidationError(
      field,
      `is ${bytes} bytes as JSON; at most ${WEBHOOK_LIMITS.maxBodyBytes} are allowed`,
    );
  }
  checkTemplate(input, field);
  return input;
}
