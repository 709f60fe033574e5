import { type ReactNode, useEffect, useId, useRef } from 'react';

export interface DialogProps {
  title: string;
  /** Called when the dialog is dismissed: its close button, Escape, or the browser closing it. */
  onClose: () => void;
  /**
   * Called instead of `onClose` on Escape and the close button, e.g. to warn before closing.
   * @default onClose
   */
  onDismiss?: () => void;
  /** A line under the title, read out as the dialog's description. */
  description?: ReactNode;
  children: ReactNode;
  /** `danger` draws a red accent; `wide` widens it for tables and JSON. */
  tone?: 'default' | 'danger' | 'wide';
}

/**
 * A modal `<dialog>`: the browser makes the rest of the page inert and keeps focus inside; the element marked
 * `data-autofocus` (else the first control) gets focus, and focus returns where it was when the dialog goes.
 */
export function Dialog({ title, onClose, onDismiss, description, children, tone = 'default' }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current!;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  const dismiss = onDismiss ?? onClose;
  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${tone}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        event.preventDefault();
        dismiss();
      }}
      onClose={onClose}
    >
      <div className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={dismiss}>
          ×
        </button>
      </div>
      {description && (
        <p id={descriptionId} className="dialog-description">
          {description}
        </p>
      )}
      {children}
    </dialog>
  );
}

export interface FormFooterProps {
  /** Shown above the buttons and announced when set. */
  error: ReactNode;
  busy: boolean;
  onCancel: () => void;
  submitLabel: string;
  /** The submit button's text while `busy`. */
  busyLabel: string;
  /** A red submit button, for what cannot be undone. */
  danger?: boolean;
  /** Disables the submit button (it is also disabled while busy). */
  disabled?: boolean;
}

/** The foot of a form dialog: its error, Cancel, and the submit button. */
export function FormFooter({ error, busy, onCancel, submitLabel, busyLabel, danger, disabled }: FormFooterProps) {
  return (
    <>
      {error && (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className={`button ${danger ? 'button-danger' : 'button-primary'}`}
          disabled={disabled || busy}
        >
          {busy ? busyLabel : submitLabel}
        </button>
      </div>
    </>
  );
}
