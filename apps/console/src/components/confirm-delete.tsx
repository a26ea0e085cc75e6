import { useState, type FormEvent } from 'react';
import { TextField } from './field.tsx';
import { ProblemAlert } from './problem-alert.tsx';

/** A destructive action that asks for the resource's name, typed, before it goes ahead. */
export function ConfirmDelete({
  what,
  name,
  onConfirm,
  pending,
  error,
}: {
  what: string;
  name: string;
  onConfirm: () => void;
  pending: boolean;
  error: unknown;
}) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  if (!open) {
    return (
      <button type="button" className="button-danger" onClick={() => setOpen(true)}>
        Delete {what}
      </button>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (typed === name) onConfirm();
  };
  return (
    <form className="confirm-delete" onSubmit={submit} aria-label={`Delete ${what} ${name}`}>
      <p>
        This deletes the {what} <strong>{name}</strong> and all its data. It cannot be undone.
      </p>
      <TextField label={`Type the ${what} name to confirm`} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" autoFocus />
      <ProblemAlert error={error} />
      <div className="actions">
        <button type="submit" className="button-danger" disabled={typed !== name || pending}>
          {pending ? 'Deleting…' : 'Delete'}
        </button>
        <button type="button" className="button-secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
