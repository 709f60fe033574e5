import { useRef, useState } from 'react';
import { Dialog } from '../shared/dialog';

export interface SecretDialogProps {
  title: string;
  keyName: string;
  secret: string;
  /** Called once the reader confirmed closing; the caller must drop the secret then. */
  onClose: () => void;
}

/**
 * Shows a new secret once: a copy button, and a warning before closing. The secret lives only in this
 * dialog's props; it is never put in the URL, storage or logs.
 */
export function SecretDialog({ title, keyName, secret, onClose }: SecretDialogProps) {
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const field = useRef<HTMLInputElement>(null);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
    } catch {
      // Without clipboard permission, select the text so the reader can copy it by hand.
      field.current?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  };
  const dismiss = () => (copied ? onClose() : setConfirming(true));

  return (
    <Dialog title={title} onClose={onClose} onDismiss={dismiss} description={`The secret of ${keyName}.`}>
      <p className="alert alert-warning" role="note">
        <strong>You won&apos;t see this key again.</strong> Copy it now and store it somewhere safe, such as a secrets
        manager.
      </p>
      <div className="secret-row">
        <label className="visually-hidden" htmlFor="new-secret">
          Secret
        </label>
        <input
          id="new-secret"
          ref={field}
          className="secret"
          readOnly
          value={secret}
          autoComplete="off"
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className="button button-primary" onClick={copy} data-autofocus>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="muted" aria-live="polite">
        {copied ? 'Copied to the clipboard.' : ''}
      </p>
      {confirming ? (
        <div className="confirm" role="group" aria-label="Close without copying?">
          <p>You haven&apos;t copied the key. You won&apos;t see this key again. Close anyway?</p>
          <div className="actions">
            <button type="button" className="button" onClick={() => setConfirming(false)} autoFocus>
              Back to the key
            </button>
            <button type="button" className="button button-danger" onClick={onClose}>
              Close without copying
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="button" onClick={dismiss}>
            Done
          </button>
        </div>
      )}
    </Dialog>
  );
}
