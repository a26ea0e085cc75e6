import { useInfiniteQuery } from '@tanstack/react-query';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';
import { formatTime } from '../data/format.ts';

export function AuditLog() {
  const events = useInfiniteQuery({
    queryKey: ['audit-events'],
    queryFn: ({ pageParam }) => fjord.auditEvents.list({ limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  return (
    <section aria-labelledby="audit-title">
      <header className="page-header">
        <h1 id="audit-title">Audit log</h1>
      </header>
      <QueryState query={events} what="the audit log" isEmpty={(d) => d.pages[0].items.length === 0} empty={<p>Nothing has happened yet.</p>}>
        {(data) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Request id</th>
                </tr>
              </thead>
              <tbody>
                {data.pages.flatMap((p) => p.items).map((e) => (
                  <tr key={e.id}>
                    <td>{formatTime(e.createdAt)}</td>
                    <td>{e.actor.label}</td>
                    <td><code>{e.action}</code></td>
                    <td>{e.resource.type} <code>{e.resource.id}</code></td>
                    <td><code>{e.requestId}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
            {events.hasNextPage && (
              <button type="button" className="button-secondary" onClick={() => events.fetchNextPage()} disabled={events.isFetchingNextPage}>
                Load more
              </button>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}
