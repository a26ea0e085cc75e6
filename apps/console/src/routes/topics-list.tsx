import type { Topic } from '@fjord/api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { TextField } from '../components/field.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';
import { formatBytes } from '../data/format.ts';
import { fieldErrors, onlyFieldErrors } from '../data/problems.ts';
import { useCanWrite } from '../data/session.ts';

const sum = (t: Topic, pick: (p: Topic['partitions'][number]) => number) => t.partitions.reduce((n, p) => n + pick(p), 0);

function CreateTopicForm({ clusterId }: { clusterId: string }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('3');
  const [retentionHours, setRetentionHours] = useState('');
  const create = useMutation({
    mutationFn: () =>
      fjord.topics.create(clusterId, {
        name,
        partitions: Number(partitions),
        ...(retentionHours ? { configs: { 'retention.ms': String(Math.round(Number(retentionHours) * 3_600_000)) } } : {}),
      }),
    onSuccess: async () => {
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['clusters', clusterId, 'topics'] });
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card inline-form" onSubmit={submit} noValidate aria-labelledby="create-topic-title">
      <h2 id="create-topic-title">Create topic</h2>
      <TextField label="Topic name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
      <TextField label="Partitions" type="number" min={1} value={partitions} onChange={(e) => setPartitions(e.target.value)} error={errors.partitions} />
      <TextField
        label="Retention (hours)"
        type="number"
        min={0}
        value={retentionHours}
        onChange={(e) => setRetentionHours(e.target.value)}
        error={errors['configs.retention.ms'] ?? errors.configs}
        hint="Empty: the cluster default"
      />
      <button type="submit" disabled={create.isPending}>
        Create
      </button>
      {!onlyFieldErrors(create.error, ['name', 'partitions', 'configs', 'configs.retention.ms']) && <ProblemAlert error={create.error} />}
    </form>
  );
}

export function TopicsList() {
  const { id = '' } = useParams();
  const canWrite = useCanWrite();
  const cluster = useQuery({ queryKey: ['clusters', id], queryFn: () => fjord.clusters.get(id) });
  const topics = useQuery({
    queryKey: ['clusters', id, 'topics'],
    queryFn: async () => (await fjord.topics.list(id, { limit: 100 })).items,
    enabled: cluster.data?.status === 'RUNNING',
  });
  return (
    <section aria-labelledby="topics-title">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/clusters">Clusters</Link> / <Link to={`/clusters/${id}`}>{cluster.data?.name ?? '…'}</Link> /
          </p>
          <h1 id="topics-title">Topics</h1>
        </div>
      </header>
      {cluster.data && cluster.data.status !== 'RUNNING' ? (
        <div className="empty-state">
          <h2>The cluster is {cluster.data.status.toLowerCase()}</h2>
          <p>Topics live in the cluster: they can be listed once it is running.</p>
        </div>
      ) : (
        <>
          {canWrite && <CreateTopicForm clusterId={id} />}
          <QueryState
            query={topics}
            what="topics"
            isEmpty={(items) => items.length === 0}
            empty={
              <>
                <h2>No topics yet</h2>
                <p>Create one here, or with any Kafka admin tool: it shows up here either way.</p>
              </>
            }
          >
            {(items) => (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Topic</th>
                    <th scope="col">Partitions</th>
                    <th scope="col">Messages</th>
                    <th scope="col">Local size</th>
                    <th scope="col">Remote size</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((t) => (
                    <tr key={t.name}>
                      <td>
                        <Link to={`/clusters/${id}/topics/${encodeURIComponent(t.name)}`}>{t.name}</Link>
                      </td>
                      <td>{t.partitions.length}</td>
                      <td>{sum(t, (p) => p.highWatermark - p.logStartOffset).toLocaleString()}</td>
                      <td>{formatBytes(sum(t, (p) => p.localBytes))}</td>
                      <td>{formatBytes(sum(t, (p) => p.remoteBytes))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </QueryState>
        </>
      )}
    </section>
  );
}
