import type { ClusterStatus } from '@fjord/api';
import { useQuery } from '@tanstack/react-query';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';
import { formatTime } from '../data/format.ts';

/** The cluster's lifecycle as the reconciler saw it, newest first; followed while the cluster is changing. */
export function ClusterEventsPanel({ clusterId, status }: { clusterId: string; status: ClusterStatus }) {
  const changing = status === 'PROVISIONING' || status === 'DELETING';
  // Keyed by status too, so the event that changed it is fetched when it changes.
  const events = useQuery({
    queryKey: ['clusters', clusterId, 'events', status],
    queryFn: async () => (await fjord.clusters.events(clusterId, { limit: 100 })).items,
    refetchInterval: changing ? 1000 : false,
  });
  return (
    <section className="card" aria-labelledby="events-title">
      <h2 id="events-title">Activity</h2>
      <QueryState query={events} what="activity" isEmpty={(items) => items.length === 0} empty={<p>Nothing has happened yet.</p>}>
        {(items) => (
          <ol className="events">
            {[...items].reverse().slice(0, 10).map((e) => (
              <li key={e.id}>
                <time dateTime={e.createdAt}>{formatTime(e.createdAt)}</time> <code>{e.type}</code> {e.message}
              </li>
            ))}
          </ol>
        )}
      </QueryState>
    </section>
  );
}
