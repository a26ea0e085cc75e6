import type { CreatedApiKey } from '@fjord/api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { TextField } from '../components/field.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { QueryState } from '../components/query-state.tsx';
import { ShownOnceSecret } from '../components/shown-once-secret.tsx';
import { fjord } from '../data/client.ts';
import { formatTime } from '../data/format.ts';
import { fieldErrors, onlyFieldErrors } from '../data/problems.ts';
import { useCanWrite } from '../data/session.ts';

/** Cloud API keys: credentials for scripts, CI and the CLI, acting as the member who made them. */
export function ApiKeys() {
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: async () => (await fjord.apiKeys.list({ limit: 100 })).items });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['api-keys'] });
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<CreatedApiKey | undefined>(undefined);
  const create = useMutation({
    mutationFn: () => fjord.apiKeys.create({ description }, { idempotencyKey: crypto.randomUUID() }),
    onSuccess: async (key) => {
      setCreated(key);
      setDescription('');
      await refresh();
    },
  });
  const revoke = useMutation({ mutationFn: (id: string) => fjord.apiKeys.delete(id), onSuccess: refresh });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="api-keys-title">
      <header className="page-header">
        <h1 id="api-keys-title">Cloud API keys</h1>
      </header>
      <p className="muted">
        Send a key as <code>Authorization: Bearer &lt;secret&gt;</code> from scripts and CI. It acts with the role of the member who created it.
      </p>
      {created && <ShownOnceSecret label="New cloud API key secret" secret={created.secret} onDismiss={() => setCreated(undefined)} />}
      <QueryState
        query={keys}
        what="API keys"
        isEmpty={(items) => items.length === 0}
        empty={<p>No cloud API keys yet.</p>}
      >
        {(items) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Description</th>
                <th scope="col">Created</th>
                {canWrite && <th scope="col"><span className="visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {items.map((k) => (
                <tr key={k.id}>
                  <td>{k.description}</td>
                  <td>{formatTime(k.createdAt)}</td>
                  {canWrite && (
                    <td>
                      <button type="button" className="button-danger button-small" onClick={() => revoke.mutate(k.id)} aria-label={`Delete API key ${k.description}`}>
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <ProblemAlert error={revoke.error} />
      {canWrite && (
        <form className="card inline-form" onSubmit={submit} noValidate>
          <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} error={errors.description} placeholder="e.g. CI deploys" />
          <button type="submit" disabled={create.isPending}>
            Create API key
          </button>
          {!onlyFieldErrors(create.error, ['description']) && <ProblemAlert error={create.error} />}
        </form>
      )}
    </section>
  );
}
