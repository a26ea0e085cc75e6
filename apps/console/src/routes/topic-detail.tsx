import { topicConfigNames, type Topic, type TopicConfigName } from '@fjord/api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ConfirmDelete } from '../components/confirm-delete.tsx';
import { SelectField, TextField } from '../components/field.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';
import { formatBytes } from '../data/format.ts';
import { fieldErrors } from '../data/problems.ts';
import { useCanWrite } from '../data/session.ts';
import { MessageBrowser } from './message-browser.tsx';

function ConfigsPanel({ clusterId, topic }: { clusterId: string; topic: Topic }) {
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const [name, setName] = useState<TopicConfigName>('retention.ms');
  const [value, setValue] = useState('');
  const update = useMutation({
    mutationFn: (configs: Partial<Record<TopicConfigName, string | null>>) => fjord.topics.update(clusterId, topic.name, { configs }),
    onSuccess: (updated) => {
      queryClient.setQueryData(['clusters', clusterId, 'topics', topic.name], updated);
      setValue('');
    },
  });
  const errors = fieldErrors(update.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ [name]: value });
  };
  const overrides = Object.entries(topic.configs);
  return (
    <section className="card" aria-labelledby="configs-title">
      <h2 id="configs-title">Configs</h2>
      {overrides.length === 0 ? (
        <p className="empty-state">Every config has the cluster default.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Config</th>
              <th scope="col">Value</th>
              {canWrite && <th scope="col"><span className="visually-hidden">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {overrides.map(([key, v]) => (
              <tr key={key}>
                <td><code>{key}</code></td>
                <td><code>{v}</code></td>
                {canWrite && (
                  <td>
                    <button type="button" className="button-secondary button-small" onClick={() => update.mutate({ [key]: null })} aria-label={`Reset ${key}`}>
                      Reset
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canWrite && (
        <form className="inline-form" onSubmit={submit} noValidate>
          <SelectField label="Config" value={name} onChange={(e) => setName(e.target.value as TopicConfigName)}>
            {topicConfigNames.map((n) => (
              <option key={n} value={n}>{n}</option>
            ))}
          </SelectField>
          <TextField label="Value" value={value} onChange={(e) => setValue(e.target.value)} error={errors[`configs.${name}`] ?? errors.configs} />
          <button type="submit" disabled={update.isPending}>
            Save config
          </button>
        </form>
      )}
      {!errors[`configs.${name}`] && !errors.configs && <ProblemAlert error={update.error} />}
    </section>
  );
}

export function TopicDetail() {
  const { id = '', name = '' } = useParams();
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const topic = useQuery({ queryKey: ['clusters', id, 'topics', name], queryFn: () => fjord.topics.get(id, name) });
  const remove = useMutation({
    mutationFn: () => fjord.topics.delete(id, name),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['clusters', id, 'topics'] });
      navigate(`/clusters/${id}/topics`);
    },
  });
  return (
    <section aria-labelledby="topic-title">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/clusters">Clusters</Link> / <Link to={`/clusters/${id}/topics`}>Topics</Link> /
          </p>
          <h1 id="topic-title">{name}</h1>
        </div>
      </header>
      <QueryState query={topic} what="the topic">
        {(t) => (
          <>
            <section className="card" aria-labelledby="partitions-title">
              <h2 id="partitions-title">Partitions</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Partition</th>
                    <th scope="col">Start offset</th>
                    <th scope="col">End offset</th>
                    <th scope="col">Local size</th>
                    <th scope="col">Remote size</th>
                  </tr>
                </thead>
                <tbody>
                  {t.partitions.map((p) => (
                    <tr key={p.partition}>
                      <td>{p.partition}</td>
                      <td>{p.logStartOffset}</td>
                      <td>{p.highWatermark}</td>
                      <td>{formatBytes(p.localBytes)}</td>
                      <td>{formatBytes(p.remoteBytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <MessageBrowser clusterId={id} topic={t.name} partitions={t.partitions.length} />
            <ConfigsPanel clusterId={id} topic={t} />
            {canWrite && (
              <section className="card danger-zone" aria-labelledby="delete-topic-title">
                <h2 id="delete-topic-title">Delete topic</h2>
                <ConfirmDelete what="topic" name={t.name} onConfirm={() => remove.mutate()} pending={remove.isPending} error={remove.error} />
              </section>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}
