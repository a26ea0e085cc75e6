import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { ConfirmDelete } from '../components/confirm-delete.tsx';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';
import { useCanWrite } from '../data/session.ts';

/** One consumer group: who owns which partitions, and how far behind each partition it is. */
export function ConsumerGroupDetail() {
  const { id = '', groupId = '' } = useParams();
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const cluster = useQuery({ queryKey: ['clusters', id], queryFn: () => fjord.clusters.get(id) });
  const group = useQuery({ queryKey: ['clusters', id, 'consumer-groups', groupId], queryFn: () => fjord.consumerGroups.get(id, groupId), refetchInterval: 5000 });
  const remove = useMutation({
    mutationFn: () => fjord.consumerGroups.delete(id, groupId),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['clusters', id, 'consumer-groups'] });
      navigate(`/clusters/${id}`);
    },
  });
  return (
    <QueryState query={group} what="the consumer group">
      {(g) => (
        <section aria-labelledby="group-title">
          <header className="page-header">
            <div>
              <p className="breadcrumb">
                <Link to="/clusters">Clusters</Link> / <Link to={`/clusters/${id}`}>{cluster.data?.name ?? 'Cluster'}</Link> / Consumer groups /
              </p>
              <h1 id="group-title">{g.groupId}</h1>
            </div>
          </header>
          <div className="card">
            <dl className="facts">
              <dt>Protocol</dt>
              <dd>{g.type === 'consumer' ? 'consumer (KIP-848)' : 'classic'}</dd>
              <dt>State</dt>
              <dd>{g.state}</dd>
              <dt>Assignor</dt>
              <dd>{g.assignor ?? '—'}</dd>
              <dt>Total lag</dt>
              <dd>{g.lag === null ? '—' : g.lag.toLocaleString()}</dd>
            </dl>
          </div>
          <section className="card" aria-labelledby="members-title">
            <h2 id="members-title">Members</h2>
            {g.memberDetails.length === 0 ? (
              <p>No members: no consumer of this group is running.</p>
            ) : (
              <table aria-label="Members">
                <thead>
                  <tr>
                    <th scope="col">Member</th>
                    <th scope="col">Client</th>
                    <th scope="col">Host</th>
                    <th scope="col">Partitions</th>
                  </tr>
                </thead>
                <tbody>
                  {g.memberDetails.map((m) => (
                    <tr key={m.memberId}>
                      <th scope="row">
                        <code>{m.groupInstanceId ?? m.memberId}</code>
                      </th>
                      <td>{m.clientId}</td>
                      <td>{m.host}</td>
                      <td>{m.assignment.map((a) => `${a.topic} ${a.partitions.join(', ')}`).join('; ') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section className="card" aria-labelledby="offsets-title">
            <h2 id="offsets-title">Committed offsets</h2>
            {g.offsets.length === 0 ? (
              <p>The group has committed no offsets.</p>
            ) : (
              <table aria-label="Committed offsets">
                <thead>
                  <tr>
                    <th scope="col">Topic</th>
                    <th scope="col">Partition</th>
                    <th scope="col">Committed</th>
                    <th scope="col">High watermark</th>
                    <th scope="col">Lag</th>
                  </tr>
                </thead>
                <tbody>
                  {g.offsets.map((o) => (
                    <tr key={`${o.topic}:${o.partition}`}>
                      <td>
                        <Link to={`/clusters/${id}/topics/${o.topic}`}>{o.topic}</Link>
                      </td>
                      <td>{o.partition}</td>
                      <td>{o.committedOffset.toLocaleString()}</td>
                      <td>{o.highWatermark.toLocaleString()}</td>
                      <td>{o.lag.toLocaleString()}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          {canWrite && g.members === 0 && (
            <section className="card danger-zone" aria-labelledby="danger-title">
              <h2 id="danger-title">Delete consumer group</h2>
              <ConfirmDelete what="consumer group" name={g.groupId} onConfirm={() => remove.mutate()} pending={remove.isPending} error={remove.error} />
            </section>
          )}
        </section>
      )}
    </QueryState>
  );
}
