import type { CreatedClusterApiKey } from '@fjord/api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ConfirmDelete } from '../components/confirm-delete.tsx';
import { CopyButton } from '../components/copy-button.tsx';
import { QueryState } from '../components/query-state.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { fjord } from '../data/client.ts';
import { formatTime } from '../data/format.ts';
import { useCanWrite } from '../data/session.ts';
import { ClientConfigsPanel } from './client-configs-panel.tsx';
import { ClusterApiKeysPanel } from './cluster-api-keys-panel.tsx';
import { ClusterEventsPanel } from './cluster-events-panel.tsx';
import { ConsumerGroupsPanel } from './consumer-groups-panel.tsx';

export function ClusterDetail() {
  const { id = '' } = useParams();
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [known, setKnown] = useState<CreatedClusterApiKey | undefined>(undefined);
  const cluster = useQuery({
    queryKey: ['clusters', id],
    queryFn: () => fjord.clusters.get(id),
    refetchInterval: (query) => (query.state.data?.status === 'PROVISIONING' || query.state.data?.status === 'DELETING' ? 1000 : false),
  });
  const keys = useQuery({ queryKey: ['clusters', id, 'api-keys'], queryFn: async () => (await fjord.clusterApiKeys.list(id, { limit: 100 })).items });
  const remove = useMutation({
    mutationFn: () => fjord.clusters.delete(id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['clusters'] });
      navigate('/clusters');
    },
  });

  return (
    <QueryState query={cluster} what="the cluster">
      {(c) => (
        <section aria-labelledby="cluster-title">
          <header className="page-header">
            <div>
              <p className="breadcrumb">
                <Link to="/clusters">Clusters</Link> /
              </p>
              <h1 id="cluster-title">{c.name}</h1>
            </div>
            <StatusBadge status={c.status} />
          </header>
          {c.status === 'FAILED' && (
            <div className="alert alert-error" role="alert">
              <strong>The cluster failed to start</strong>
              <p>{c.failureReason}</p>
            </div>
          )}
          <div className="card">
            <dl className="facts">
              <dt>Status</dt>
              <dd>{c.status}</dd>
              <dt>Bootstrap servers</dt>
              <dd>
                <code data-testid="bootstrap-servers">{c.bootstrapServers}</code> <CopyButton text={c.bootstrapServers} label="Copy bootstrap servers" />
              </dd>
              <dt>Plan</dt>
              <dd>{c.plan}</dd>
              <dt>Region</dt>
              <dd>{c.region}</dd>
              <dt>Created</dt>
              <dd>{formatTime(c.createdAt)}</dd>
            </dl>
            <p>
              <Link className="button" to={`/clusters/${c.id}/topics`}>
                Topics
              </Link>
            </p>
          </div>
          <QueryState query={keys} what="cluster API keys">
            {(items) => (
              <>
                <ClusterApiKeysPanel clusterId={c.id} keys={items} onCreated={setKnown} />
                <ClientConfigsPanel clusterId={c.id} bootstrapServers={c.bootstrapServers} keys={items} known={known} />
              </>
            )}
          </QueryState>
          {c.status === 'RUNNING' && <ConsumerGroupsPanel clusterId={c.id} />}
          <ClusterEventsPanel clusterId={c.id} status={c.status} />
          {canWrite && c.status !== 'DELETING' && (
            <section className="card danger-zone" aria-labelledby="danger-title">
              <h2 id="danger-title">Delete cluster</h2>
              <ConfirmDelete what="cluster" name={c.name} onConfirm={() => remove.mutate()} pending={remove.isPending} error={remove.error} />
            </section>
          )}
        </section>
      )}
    </QueryState>
  );
}
