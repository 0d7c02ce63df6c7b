import { ValidationError } from '../errors';
import { type FireRequest, scheduledAtText } from './trigger-provider';

/*
 * Trigger templates (docs/triggers.md, "Templates"): `{{name}}` placeholders in the
 * string values of a trigger, replaced when it fires. A closed set of variables and
 * nothing else: no expressions, helpers, loops or escapes, so a template cannot run code
 * and every placeholder is known when the schedule is saved. Our own ~150 lines instead
 * of a template engine (research/triggers.md §4: Mustache HTML-escapes, Handlebars and
 * friends run code).
 *
 * Syntax, decided once:
 * - `{{` always opens a placeholder and the next `}}` closes it; what is between must be
 *   exactly a variable name: no whitespace (`{{ attempt }}` is refused, one spelling
 *   keeps "does this trigger template?" a plain `includes('{{')`), no third brace
 *   (`{{{attempt}}}` is refused; it means something else in Mustache), no default.
 * - There is no escape: a literal `{{` cannot be sent in a templated field.
 * - A lone `}}`, `{` or `}` is literal text.
 * - `metadata.<field>` names one top-level key of the schedule's metadata
 *   ([A-Za-z0-9_-]+); nested paths are refused so that they can mean something later.
 * - Object keys are never templated, only string values (at any depth).
 */

/** The placeholders besides `metadata.<field>`, as written between the braces. */
export const TEMPLATE_VARIABLES = [
  'scheduleId',
  'executionId',
  'scheduledAt',
  'attempt',
  'name',
  'owner',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const METADATA_PREFIX = 'metadata.';
const METADATA_FIELD = /^[A-Za-z0-9_-]+$/;
const OPEN = '{{';
const CLOSE = '}}';

/** What the placeholders of one attempt stand for. */
export interface TemplateVars {
  scheduleId: string;
  executionId: string;
  /** ISO-8601 UTC with milliseconds, as in X-Scheduleman-Scheduled-At. */
  scheduledAt: string;
  attempt: number;
  name: string | null;
  owner: string | null;
  metadata: Record<string, unknown> | null;
}

export function templateVarsOf(request: FireRequest): TemplateVars {
  return {
    scheduleId: request.scheduleId,
    executionId: request.executionId,
    scheduledAt: scheduledAtText(request),
    attempt: request.attempt,
    name: request.scheduleName,
    owner: request.scheduleOwner,
    metadata: request.scheduleMetadata ?? null,
  };
}

/** One piece of a parsed template string. */
type Segment =
  | { text: string }
  | { variable: TemplateVariable }
  | { metadata: string };

/** Where a string went wrong, with the reason (checkTemplate turns it into a 400). */
interface TemplateProblem {
  problem: string;
}

/** Every placeholder as written, for messages and docs. */
export const TEMPLATE_PLACEHOLDERS = [...TEMPLATE_VARIABLES, 'metadata.<field>']
  .map((name) => `{{${name}}}`)
  .join(', ');

/**
 * Splits a template string into literal text and placeholders, or names what is wrong.
 * Literal text between placeholders is kept verbatim.
 */
function parseSegments(text: string): Segment[] | TemplateProblem {
  const segments: Segment[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf(OPEN, at);
    if (open === -1) {
      segments.push({ text: text.slice(at) });
      break;
    }
    if (open > at) segments.push({ text: text.slice(at, open) });
    const close = text.indexOf(CLOSE, open + OPEN.length);
    if (close === -1)
      return { problem: `"{{" at position ${String(open)} is never closed` };
    const inner = text.slice(open + OPEN.length, close);
    const segment = placeholderOf(inner);
    if ('problem' in segment) return segment;
    segments.push(segment);
    at = close + CLOSE.length;
  }
  return segments;
}

function placeholderOf(inner: string): Segment | TemplateProblem {
  if ((TEMPLATE_VARIABLES as readonly string[]).includes(inner))
    return { variable: inner as TemplateVariable };
  if (inner.startsWith(METADATA_PREFIX)) {
    const field = inner.slice(METADATA_PREFIX.length);
    if (METADATA_FIELD.test(field)) return { metadata: field };
  }
  if (inner.startsWith('{'))
    return { problem: `"{{{" is not a placeholder (no triple braces)` };
  const trimmed = inner.trim();
  if (trimmed !== inner && !('problem' in placeholderOf(trimmed)))
    return {
      problem: `write {{${trimmed}}} without spaces inside the braces`,
    };
  if (inner.startsWith(METADATA_PREFIX))
    return {
      problem: `${quoted(inner)} must name one top-level metadata key of letters, digits, "_" or "-"`,
    };
  return { problem: `unknown placeholder ${quoted(inner)}` };
}

/** A placeholder as written, cut short: messages never echo a whole 64 KiB body. */
function quoted(inner: string): string {
  const shown = inner.length > 40 ? `${inner.slice(0, 40)}…` : inner;
  return `{{${shown}}}`;
}

/** The placeholders of one string as written, e.g. `['attempt', 'metadata.tenant']`. */
export function findPlaceholders(text: string): string[] {
  const segments = parseSegments(text);
  if ('problem' in segments) return [];
  return segments.flatMap((segment) =>
    'variable' in segment
      ? [segment.variable]
      : 'metadata' in segment
        ? [`${METADATA_PREFIX}${segment.metadata}`]
        : [],
  );
}

/** Whether a string or any string inside a JSON value contains a placeholder opening. */
export function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(OPEN);
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (typeof value === 'object' && value !== null)
    return Object.values(value).some(hasTemplate);
  return false;
}

/**
 * Checks every string in `value` (a string, or any JSON value: strings at any depth, not
 * keys) and throws a ValidationError naming the exact path of the first bad one, e.g.
 * `trigger.body.items[2]` or `trigger.headers.X-Tenant`.
 */
export function checkTemplate(value: unknown, field: string): void {
  if (typeof value === 'string') {
    const segments = parseSegments(value);
    if ('problem' in segments)
      throw new ValidationError(
        field,
        `${segments.problem}; allowed placeholders: ${TEMPLATE_PLACEHOLDERS}`,
      );
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      checkTemplate(item, `${field}[${String(index)}]`);
    });
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value))
      checkTemplate(item, `${field}.${key}`);
  }
}

/**
 * Parsed template strings by their text. The same few triggers fire over and over;
 * bounded in entries and in the length of a cached string (a 64 KiB body string is
 * parsed each time instead: linear, and rare), cleared when full (that only costs
 * parsing again).
 */
const parsedTemplates = new Map<string, Segment[] | undefined>();
const MAX_PARSED_TEMPLATES = 10_000;
const MAX_CACHED_TEMPLATE_LENGTH = 1024;

/** Undefined for a string that is not a valid template (rendered as it is, see below). */
function segmentsOf(text: string): Segment[] | undefined {
  if (parsedTemplates.has(text)) return parsedTemplates.get(text);
  const parsed = parseSegments(text);
  const segments = 'problem' in parsed ? undefined : parsed;
  if (text.length <= MAX_CACHED_TEMPLATE_LENGTH) {
    if (parsedTemplates.size >= MAX_PARSED_TEMPLATES) parsedTemplates.clear();
    parsedTemplates.set(text, segments);
  }
  return segments;
}

function valueOf(segment: Segment, vars: TemplateVars): unknown {
  if ('variable' in segment) return vars[segment.variable];
  if ('metadata' in segment) {
    const metadata = vars.metadata;
    return metadata !== null && Object.hasOwn(metadata, segment.metadata)
      ? metadata[segment.metadata]
      : undefined;
  }
  return segment.text;
}

/** A value inside a larger string: missing and null are empty, JSON for the rest. */
function stringOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value);
}

/** How a rendered value goes into a string (a URL percent-encodes it). */
export type TemplateEncoder = (value: string) => string;

/**
 * Renders one template string. Values are stringified (stringOf) and passed through
 * `encode`; literal text is not. A string that is not a valid template (a row stored
 * before templates existed; the API refuses new ones) is returned unchanged.
 */
export function renderTemplateString(
  text: string,
  vars: TemplateVars,
  encode: TemplateEncoder = (value) => value,
): string {
  if (!text.includes(OPEN)) return text;
  const segments = segmentsOf(text);
  if (segments === undefined) return text;
  let out = '';
  for (const segment of segments)
    out +=
      'text' in segment
        ? segment.text
        : encode(stringOf(valueOf(segment, vars)));
  return out;
}

/**
 * Renders a JSON value (a body): every string at any depth, keys untouched. A string
 * that is exactly one placeholder takes the value's own JSON type (`"{{attempt}}"` → 2,
 * `"{{metadata.count}}"` → the metadata value as it is, a missing one → null); inside a
 * larger string values are stringified. The input is never modified.
 */
export function renderTemplate(value: unknown, vars: TemplateVars): unknown {
  if (typeof value === 'string') {
    if (!value.includes(OPEN)) return value;
    const segments = segmentsOf(value);
    if (segments === undefined) return value;
    const only = segments.length === 1 ? segments[0] : undefined;
    if (only !== undefined && !('text' in only))
      return valueOf(only, vars) ?? null;
    return renderTemplateString(value, vars);
  }
  if (Array.isArray(value))
    return value.map((item) => renderTemplate(item, vars));
  if (typeof value === 'object' && value !== null) {
    // fromEntries defines own properties: a "__proto__" key stays a plain key.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        renderTemplate(item, vars),
      ]),
    );
  }
  return value;
}
