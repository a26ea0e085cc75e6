import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';

const lag = (n: number | null) => (n === null ? '—' : n.toLocaleString());

/** The cluster's consumer groups with their lag, followed every few seconds as consumers move. */
export function ConsumerGroupsPanel({ clusterId }: { clusterId: string }) {
  const groups = useQuery({
    queryKey: ['clusters', clusterId, 'consumer-groups'],
    queryFn: async () => (await fjord.consumerGroups.list(clusterId, { limit: 100 })).items,
    refetchInterval: 5000,
  });
  return (
    <section className="card" aria-labelledby="groups-title">
      <h2 id="groups-title">Consumer groups</h2>
      <QueryState query={groups} what="consumer groups" isEmpty={(items) => items.length === 0} empty={<p>No consumer groups yet: a consumer with a group.id shows up here.</p>}>
        {(items) => (
          <table aria-label="Consumer groups">
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Protocol</th>
                <th scope="col">State</th>
                <th scope="col">Members</th>
                <th scope="col">Lag</th>
              </tr>
            </thead>
            <tbody>
              {items.map((g) => (
                <tr key={g.groupId}>
                  <th scope="row">
                    <Link to={`/clusters/${clusterId}/consumer-groups/${encodeURIComponent(g.groupId)}`}>{g.groupId}</Link>
                  </th>
                  <td>{g.type}</td>
                  <td>{g.state}</td>
                  <td>{g.members}</td>
                  <td>{lag(g.lag)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </section>
  );
}
