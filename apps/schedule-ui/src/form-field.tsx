import type { ReactNode } from 'react';

/** The accessibility attributes an input gets from its Field: invalid, and described by its message and hint. */
export interface FieldAria {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/** Field messages by input id (from the API's `errors[]`, mapped by fieldIdFor). */
export type FieldErrors = ReadonlyMap<string, string>;

export function ariaFor(
  id: string,
  errors: FieldErrors,
  hint?: ReactNode,
): FieldAria {
  const described = [
    errors.has(id) ? `${id}-error` : null,
    hint === undefined ? null : `${id}-hint`,
  ].filter((x) => x !== null);
  return {
    id,
    ...(errors.has(id) ? { 'aria-invalid': true as const } : {}),
    ...(described.length > 0
      ? { 'aria-describedby': described.join(' ') }
      : {}),
  };
}

/** The message beside an input, its id what the input's aria-describedby names. */
export function FieldMessage({
  id,
  errors,
}: {
  id: string;
  errors: FieldErrors;
}) {
  const message = errors.get(id);
  if (message === undefined) return null;
  return (
    <span id={`${id}-error`} className="field-error">
      {message}
    </span>
  );
}

/**
 * A labelled input with its hint and its message: `children` renders the input with the
 * attributes given (id, aria-invalid, aria-describedby).
 */
export function Field({
  id,
  label,
  hint,
  errors,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  errors: FieldErrors;
  children: (aria: FieldAria) => ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(ariaFor(id, errors, hint))}
      {hint !== undefined && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      <FieldMessage id={id} errors={errors} />
    </div>
  );
}
