import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ConfirmDialog } from './ConfirmDialog';

/** A page with a Delete button that opens the dialog, as ScheduleDetail uses it. */
function Harness({ onConfirm }: { onConfirm: () => void }) {
  const [open, setOpen] = useState(false);
  const [said, setSaid] = useState('');
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Delete
      </button>
      <p>{said}</p>
      {open && (
        <ConfirmDialog
          title="Delete nightly?"
          confirmLabel="Delete schedule"
          onConfirm={onConfirm}
          onCancel={() => {
            setOpen(false);
            setSaid('cancelled');
          }}
        >
          <p>Its executions go with it.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function open(onConfirm = vi.fn()) {
  render(<Harness onConfirm={onConfirm} />);
  const opener = screen.getByRole('button', { name: 'Delete' });
  opener.focus();
  fireEvent.click(opener);
  return { opener, onConfirm };
}

describe('ConfirmDialog', () => {
  it('opens as a dialog named by its title, described by its text, focus on Cancel', () => {
    open();
    const dialog = screen.getByRole('dialog', { name: 'Delete nightly?' });
    expect(dialog.getAttribute('open')).toBe('');
    expect(screen.getByRole('dialog')).toHaveProperty(
      'textContent',
      expect.stringContaining('Its executions go with it.'),
    );
    expect(document.activeElement).toBe(
      screen.getByRole('button', { name: 'Cancel' }),
    );
  });

  it('cancels on Escape, closes, and gives focus back to its opener', () => {
    const { opener, onConfirm } = open();
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByText('cancelled')).toBeTruthy();
    expect(document.activeElement).toBe(opener);
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it('cancels on the browser’s cancel event (Escape on a modal dialog)', () => {
    open();
    fireEvent(screen.getByRole('dialog'), new Event('cancel'));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByText('cancelled')).toBeTruthy();
  });

  it('calls onConfirm on the confirm button, and only then', () => {
    const { onConfirm } = open();
    fireEvent.click(screen.getByRole('button', { name: 'Delete schedule' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('uses showModal where the browser has it, and close when it goes', () => {
    const proto = HTMLDialogElement.prototype as Partial<HTMLDialogElement>;
    const showModal = vi.fn(function (this: HTMLDialogElement) {
      this.setAttribute('open', '');
    });
    const close = vi.fn(function (this: HTMLDialogElement) {
      this.removeAttribute('open');
    });
    proto.showModal = showModal;
    proto.close = close;
    try {
      open();
      expect(showModal).toHaveBeenCalledTimes(1);
      fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
      expect(close).toHaveBeenCalledTimes(1);
    } finally {
      delete proto.showModal;
      delete proto.close;
    }
  });

  it('ignores Escape and disables both buttons while busy', () => {
    const onCancel = vi.fn();
    render(
      <ConfirmDialog
        title="Delete?"
        confirmLabel="Delete schedule"
        busy
        onConfirm={vi.fn()}
        onCancel={onCancel}
      >
        <p>Deleting…</p>
      </ConfirmDialog>,
    );
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(onCancel).not.toHaveBeenCalled();
    for (const button of screen.getAllByRole('button'))
      expect(button).toHaveProperty('disabled', true);
  });
});
