import type { ClusterApiKey, CreatedClusterApiKey } from '@fjord/api';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { TextField } from '../components/field.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { ShownOnceSecret } from '../components/shown-once-secret.tsx';
import { fjord } from '../data/client.ts';
import { formatTime } from '../data/format.ts';
import { fieldErrors, onlyFieldErrors } from '../data/problems.ts';
import { useCanWrite } from '../data/session.ts';

/** SASL/PLAIN credentials of the cluster: create (secret shown once), list, revoke. */
export function ClusterApiKeysPanel({
  clusterId,
  keys,
  onCreated,
}: {
  clusterId: string;
  keys: ClusterApiKey[];
  onCreated: (key: CreatedClusterApiKey) => void;
}) {
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<CreatedClusterApiKey | undefined>(undefined);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['clusters', clusterId, 'api-keys'] });
  const create = useMutation({
    mutationFn: () => fjord.clusterApiKeys.create(clusterId, { description }, { idempotencyKey: crypto.randomUUID() }),
    onSuccess: async (key) => {
      setCreated(key);
      setDescription('');
      onCreated(key);
      await refresh();
    },
  });
  const revoke = useMutation({ mutationFn: (keyId: string) => fjord.clusterApiKeys.delete(clusterId, keyId), onSuccess: refresh });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">Cluster API keys</h2>
      <p className="muted">A key is the Kafka credential: the key is the SASL username, its secret the password.</p>
      {created && <ShownOnceSecret label="New cluster API key secret" secret={created.secret} onDismiss={() => setCreated(undefined)} />}
      {keys.length === 0 ? (
        <p className="empty-state">No keys yet: create one to connect a client.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Description</th>
              <th scope="col">Created</th>
              {canWrite && <th scope="col"><span className="visually-hidden">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>
                  <code>{k.key}</code>
                </td>
                <td>{k.description}</td>
                <td>{formatTime(k.createdAt)}</td>
                {canWrite && (
                  <td>
                    <button type="button" className="button-danger button-small" onClick={() => revoke.mutate(k.id)} disabled={revoke.isPending} aria-label={`Delete key ${k.key}`}>
                      Delete
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ProblemAlert error={revoke.error} />
      {canWrite && (
        <form className="inline-form" onSubmit={submit} noValidate>
          <TextField label="Key description" value={description} onChange={(e) => setDescription(e.target.value)} error={errors.description} placeholder="e.g. orders-service" />
          <button type="submit" disabled={create.isPending}>
            Create key
          </button>
        </form>
      )}
      {!onlyFieldErrors(create.error, ['description']) && <ProblemAlert error={create.error} />}
    </section>
  );
}
