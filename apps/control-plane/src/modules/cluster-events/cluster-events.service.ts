import type { ClusterEvent, ClusterStatus, Page, PageQuery } from '@fjord/api';
import type { AuthContext } from '../../auth-context.ts';
import type { Repositories } from '../../data-access.ts';
import { decodeCursor, isSequence, toPage } from '../../cursor.ts';
import { notFound } from '../../errors.ts';
import { authorize } from '../../permissions.ts';

type Deps = { repos: Pick<Repositories, 'clusters' | 'clusterEvents'> };
type Row = { id: string; seq: bigint; type: string; status: string; message: string; createdAt: Date };

const toClusterEvent = (row: Row): ClusterEvent => ({
  id: row.id,
  type: row.type,
  status: row.status as ClusterStatus,
  message: row.message,
  createdAt: row.createdAt.toISOString(),
});

export function clusterEventsService({ repos }: Deps) {
  return {
    async list(ctx: AuthContext, clusterId: string, query: PageQuery): Promise<Page<ClusterEvent>> {
      authorize(ctx, 'clusters:read');
      const cluster = await repos.clusters.get(ctx.orgId, clusterId);
      if (!cluster || cluster.status === 'DELETED') throw notFound('cluster', clusterId);
      const rows = await repos.clusterEvents.list(ctx.orgId, clusterId, { limit: query.limit, after: decodeCursor(query.cursor, isSequence) });
      return toPage(rows, query.limit, (r) => r.seq.toString(), toClusterEvent);
    },
  };
}
