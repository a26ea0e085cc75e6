import type { Cluster } from '@fjord/api';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { QueryState } from '../components/query-state.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { fjord } from '../data/client.ts';
import { useCanWrite } from '../data/session.ts';
import { formatTime } from '../data/format.ts';

const changing = (c: Cluster) => c.status === 'PROVISIONING' || c.status === 'DELETING';

export function ClustersList() {
  const canWrite = useCanWrite();
  // Polled while a cluster is on its way somewhere, so its badge changes as the reconciler moves it.
  const clusters = useQuery({
    queryKey: ['clusters'],
    queryFn: async () => (await fjord.clusters.list({ limit: 100 })).items,
    refetchInterval: (query) => (query.state.data?.some(changing) ? 1000 : false),
  });
  return (
    <section aria-labelledby="clusters-title">
      <header className="page-header">
        <h1 id="clusters-title">Clusters</h1>
        {canWrite && (
          <Link className="button" to="/clusters/new">
            Create cluster
          </Link>
        )}
      </header>
      <QueryState
        query={clusters}
        what="clusters"
        isEmpty={(items) => items.length === 0}
        empty={
          <>
            <h2>No clusters yet</h2>
            <p>A cluster is a Kafka-compatible endpoint with its own API keys and topics. Create one to start streaming.</p>
          </>
        }
      >
        {(items) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Plan</th>
                <th scope="col">Region</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/clusters/${c.id}`}>{c.name}</Link>
                  </td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td>{c.plan}</td>
                  <td>{c.region}</td>
                  <td>{formatTime(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </section>
  );
}
