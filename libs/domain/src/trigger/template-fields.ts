import { ValidationError } from '../errors';
import {
  checkTemplate,
  renderTemplate,
  renderTemplateString,
  type TemplateVars,
  templateVarsOf,
} from './template';
import type { FireRequest } from './trigger-provider';

// The field-specific rules of templates: where a URL may hold a placeholder, what a
// rendered header value may contain, and the one call a trigger definition makes.

/**
 * RFC 7230 field-value: visible ASCII, space, tab and obs-text; no control character
 * (U+0000–U+001F except tab, U+007F), so no CR/LF header injection. One rule for the
 * stored value (the API) and the rendered one (the scheduler).
 */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function isValidHeaderValue(value: string): boolean {
  return HEADER_VALUE.test(value);
}

/**
 * Checks the templated fields a trigger has (each name that is present in `input`):
 * strings, header objects (their values) and bodies alike. For the definitions of every
 * trigger type, e.g. `checkTriggerTemplates(input, field, ['subject', 'headers', 'body'])`.
 * `url` needs checkUrlTemplate as well.
 */
export function checkTriggerTemplates(
  input: Record<string, unknown>,
  field: string,
  names: readonly string[],
): void {
  for (const name of names) {
    if (input[name] !== undefined && input[name] !== null)
      checkTemplate(input[name], `${field}.${name}`);
  }
}

/**
 * The literal start a templated URL must have: scheme, "//", the authority, and the
 * first "/" or "?" after it. A placeholder may only come after that, so the host the
 * API checks (outbound safety) is the host the scheduler calls.
 */
const URL_LITERAL_ORIGIN = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\\{]*[/?]/;

/**
 * Placeholders in a URL are allowed in the path and query only: never in the scheme,
 * userinfo, host or port, nor in the fragment (which is never sent). Assumes
 * checkTemplate passed.
 */
export function checkUrlTemplate(url: string, field: string): void {
  const open = url.indexOf('{{');
  if (open === -1) return;
  if (!URL_LITERAL_ORIGIN.test(url.slice(0, open)))
    throw new ValidationError(
      field,
      'placeholders are allowed in the path and query only, never in the scheme, host or port (the destination is checked when the schedule is saved)',
    );
  const hash = url.indexOf('#');
  if (hash !== -1 && url.indexOf('{{', hash) !== -1)
    throw new ValidationError(
      field,
      'placeholders are not allowed in the fragment (it is never sent)',
    );
}

/**
 * The URL with every placeholder replaced by a harmless sample (`x`): what the API
 * parses and checks against the network policy. Same scheme, host and port as every
 * rendered URL, since checkUrlTemplate keeps placeholders out of them.
 */
export function sampleUrlOf(url: string): string {
  return url.replace(/\{\{[^}]*\}\}/g, 'x');
}

/**
 * Renders a URL: each value is percent-encoded (encodeURIComponent), so a value can add
 * characters to a path segment or query value but never a "/", "?", "#" or "&".
 */
export function renderUrlTemplate(url: string, vars: TemplateVars): string {
  return renderTemplateString(url, vars, encodeURIComponent);
}

/**
 * Renders one header value. A value that would carry a control character (CR/LF
 * injection) or a character outside Latin-1 comes from the schedule's data (a metadata
 * value or the name), so every attempt would meet it: `invalid` names the header, for a
 * permanent failure.
 */
export function renderHeaderTemplate(
  name: string,
  template: string,
  vars: TemplateVars,
): string | { invalid: string } {
  const value = renderTemplateString(template, vars);
  if (value !== template && !isValidHeaderValue(value))
    return {
      invalid: `header ${name}: the rendered value contains a control character (such as CR or LF) or a character outside Latin-1`,
    };
  return value;
}

/**
 * The JSON text of a configured body, placeholders rendered: what every provider sends
 * and signs. "{{" is never escaped by JSON.stringify, so one includes() on the text built
 * anyway tells a body without placeholders (sent as stringified, nothing else done) from
 * one with them (templated-looking keys only cost a walk that changes nothing).
 */
export function renderBodyJson(
  body: unknown,
  request: FireRequest,
  vars?: TemplateVars,
): string {
  const json = JSON.stringify(body);
  if (!json.includes('{{')) return json;
  return JSON.stringify(renderTemplate(body, vars ?? templateVarsOf(request)));
}
