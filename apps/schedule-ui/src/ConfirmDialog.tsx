import { type ReactNode, useEffect, useId, useRef } from 'react';

/**
 * A modal confirmation: a native <dialog> opened with showModal() while mounted (the
 * browser makes the rest of the page inert and traps Tab), named by its title, focus on
 * Cancel so Enter never confirms by accident, Escape cancels. Focus goes back to where
 * it was when it closes. Where showModal is missing (jsdom, old browsers) it is shown
 * with the `open` attribute, non-modal, and Escape still cancels.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  busy = false,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** While the confirmed action runs: both buttons disabled. */
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    const before =
      document.activeElement instanceof HTMLElement
        ? document.activeElement
        : null;
    if ('showModal' in element && typeof element.showModal === 'function')
      element.showModal();
    else element.setAttribute('open', '');
    cancel.current?.focus();
    return () => {
      if ('close' in element && typeof element.close === 'function')
        element.close();
      else element.removeAttribute('open');
      before?.focus();
    };
  }, []);

  return (
    <dialog
      ref={dialog}
      className="confirm"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      // Escape on a modal dialog: the browser's `cancel` would close it behind React's back.
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h3 id={titleId}>{title}</h3>
      <div id={bodyId}>{children}</div>
      <div className="actions">
        <button ref={cancel} type="button" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={onConfirm}
        >
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
