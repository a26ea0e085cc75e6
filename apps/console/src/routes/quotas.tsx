import type { ClusterQuotaUse } from '@fjord/api';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';
import { formatBytes, formatDuration, formatTime } from '../data/format.ts';
import { useCanWrite } from '../data/session.ts';
import { ClusterQuotasForm } from './cluster-quotas-form.tsx';

function Use({ label, used, limit, format = (n) => n.toLocaleString() }: { label: string; used: number | null; limit: number; format?: (n: number) => string }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{used === null ? <span className="muted">not reported yet</span> : format(used)}</td>
      <td>{format(limit)}</td>
      <td>{used !== null && <meter min={0} max={limit} value={used} high={limit * 0.8} aria-label={`${label}: ${format(used)} of ${format(limit)}`} />}</td>
    </tr>
  );
}

const rate = (n: number) => `${formatBytes(n)}/s`;

function ClusterQuotas({ cluster }: { cluster: ClusterQuotaUse }) {
  const canWrite = useCanWrite();
  const [editing, setEditing] = useState(false);
  return (
    <section className="card" aria-labelledby={`quotas-${cluster.clusterId}`}>
      <h2 id={`quotas-${cluster.clusterId}`}>
        <Link to={`/clusters/${cluster.clusterId}`}>{cluster.name}</Link> <span className="muted">({cluster.plan})</span>
      </h2>
      <p className="muted">{cluster.measuredAt ? `Measured by the brokers at ${formatTime(cluster.measuredAt)}` : 'The brokers have not reported their use yet.'}</p>
      <table aria-label={`Quotas of ${cluster.name}`}>
        <thead>
          <tr>
            <th scope="col">Quota</th>
            <th scope="col">Current use</th>
            <th scope="col">Limit</th>
            <th scope="col"><span className="visually-hidden">Share used</span></th>
          </tr>
        </thead>
        <tbody>
          <Use label="Produce throughput" used={cluster.ingressBytesPerSecond.used} limit={cluster.ingressBytesPerSecond.limit} format={rate} />
          <Use label="Consume throughput" used={cluster.egressBytesPerSecond.used} limit={cluster.egressBytesPerSecond.limit} format={rate} />
          <Use label="Partitions" used={cluster.partitions.used} limit={cluster.partitions.limit} />
          <Use label="Storage" used={cluster.storageBytes.used} limit={cluster.storageBytes.limit} format={formatBytes} />
          <Use label="Connections" used={cluster.connections.used} limit={cluster.connections.limit} />
          <Use label="Cluster API keys" used={cluster.apiKeys.used} limit={cluster.apiKeys.limit} />
          <tr>
            <th scope="row">Largest message</th>
            <td />
            <td>{formatBytes(cluster.maxMessageBytes.limit)}</td>
            <td />
          </tr>
          <tr>
            <th scope="row">Longest retention</th>
            <td />
            <td>{cluster.maxRetentionMs.limit < 0 ? 'unlimited' : formatDuration(cluster.maxRetentionMs.limit)}</td>
            <td />
          </tr>
        </tbody>
      </table>
      {canWrite &&
        (editing ? (
          <ClusterQuotasForm clusterId={cluster.clusterId} onDone={() => setEditing(false)} />
        ) : (
          <button type="button" onClick={() => setEditing(true)}>
            Set quotas of {cluster.name}
          </button>
        ))}
    </section>
  );
}

/** The organization's limits and each cluster's quotas, with what is used of them. */
export function Quotas() {
  const quotas = useQuery({ queryKey: ['quotas'], queryFn: () => fjord.quotas(), refetchInterval: 10_000 });
  return (
    <section aria-labelledby="quotas-title">
      <header className="page-header">
        <h1 id="quotas-title">Quotas</h1>
      </header>
      <QueryState query={quotas} what="quotas">
        {(q) => (
          <>
            <section className="card" aria-labelledby="org-quotas-title">
              <h2 id="org-quotas-title">Organization</h2>
              <table aria-label="Organization limits">
                <thead>
                  <tr>
                    <th scope="col">Resource</th>
                    <th scope="col">Used</th>
                    <th scope="col">Limit</th>
                    <th scope="col"><span className="visually-hidden">Share used</span></th>
                  </tr>
                </thead>
                <tbody>
                  <Use label="Clusters" used={q.clusters.used} limit={q.clusters.limit} />
                  <Use label="Cloud API keys" used={q.apiKeys.used} limit={q.apiKeys.limit} />
                </tbody>
              </table>
              <p className="muted">Each cluster may have up to {q.clusterApiKeysPerCluster.limit.toLocaleString()} cluster API keys.</p>
            </section>
            {q.clusterQuotas.length === 0 ? (
              <div className="empty-state">
                <p>No clusters yet: each cluster's quotas and use show up here.</p>
              </div>
            ) : (
              q.clusterQuotas.map((c) => <ClusterQuotas key={c.clusterId} cluster={c} />)
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}
