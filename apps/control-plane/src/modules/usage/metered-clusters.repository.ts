import type { Db } from '../../repository.ts';

export interface MeteredClusterRow {
  clusterId: string;
  orgId: string;
  name: string;
  plan: string;
  createdAt: Date;
  deletedAt: Date | null;
}

/** Clusters' lives as billed; a row outlives its cluster, so usage and cluster-hours stay billable after a deletion. */
export function meteredClustersRepository(db: Db) {
  return {
    open: (row: Omit<MeteredClusterRow, 'deletedAt'>) => db.meteredCluster.create({ data: row }),
    /** The cluster is billed no longer: the first deletion request ends its life. */
    close: (orgId: string, clusterId: string, at: Date) => db.meteredCluster.updateMany({ where: { orgId, clusterId, deletedAt: null }, data: { deletedAt: at } }),
    get: (orgId: string, clusterId: string) => db.meteredCluster.findFirst({ where: { orgId, clusterId } }),
    /** The organization's clusters that existed at some time in [from, to). */
    livingIn: (orgId: string, from: Date, to: Date, clusterId?: string) =>
      db.meteredCluster.findMany({
        where: { orgId, ...(clusterId && { clusterId }), createdAt: { lt: to }, OR: [{ deletedAt: null }, { deletedAt: { gt: from } }] },
        orderBy: { clusterId: 'asc' },
      }),
    /** Every organization's clusters that existed at some time since `from` (the finalizer opens their months' drafts). */
    livingSince: (from: Date) => db.meteredCluster.findMany({ where: { OR: [{ deletedAt: null }, { deletedAt: { gt: from } }] } }),
  };
}
