import { CopyButton } from './copy-button.tsx';

/** A secret the API returns once: shown with a copy button and a warning that it will not be shown again. */
export function ShownOnceSecret({ label, secret, onDismiss }: { label: string; secret: string; onDismiss: () => void }) {
  return (
    <div className="alert alert-warning" role="region" aria-label={label}>
      <strong>Copy the secret now: it will not be shown again.</strong>
      <p className="muted">Fjord keeps only a hash of it. If you lose it, delete the key and create another.</p>
      <div className="secret">
        <code data-testid="shown-once-secret">{secret}</code>
        <CopyButton text={secret} label="Copy secret" />
      </div>
      <button type="button" className="button-secondary button-small" onClick={onDismiss}>
        I have saved it
      </button>
    </div>
  );
}
