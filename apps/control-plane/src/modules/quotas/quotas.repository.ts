import type { Db } from '../../repository.ts';

/** The operator's overrides of an organization's limits (null: the default of @fjord/api). */
export interface LimitOverrides {
  maxClusters: number | null;
  maxApiKeys: number | null;
  maxClusterApiKeysPerCluster: number | null;
}

/** Clusters on their way out no longer count against the organization's limit. */
const countedClusters = { notIn: ['DELETING' as const, 'DELETED' as const] };

export function quotasRepository(db: Db) {
  return {
    /**
     * The organization's limit overrides, with its row locked until the transaction ends: creates that
     * check a limit run one after another, so none counts before another's insert is committed.
     */
    async lockOrganization(orgId: string): Promise<LimitOverrides | undefined> {
      const rows = await db.$queryRaw<LimitOverrides[]>`
        SELECT "maxClusters", "maxApiKeys", "maxClusterApiKeysPerCluster" FROM "Organization" WHERE id = ${orgId}::uuid FOR UPDATE`;
      return rows[0];
    },
    limitOverrides: (orgId: string): Promise<LimitOverrides | null> =>
      db.organization.findUnique({ where: { id: orgId }, select: { maxClusters: true, maxApiKeys: true, maxClusterApiKeysPerCluster: true } }),
    countClusters: (orgId: string) => db.cluster.count({ where: { orgId, status: countedClusters } }),
    countApiKeys: (orgId: string) => db.apiKey.count({ where: { orgId } }),
    countClusterApiKeys: (orgId: string, clusterId: string) => db.clusterApiKey.count({ where: { orgId, clusterId } }),
    /** Cluster API keys of each cluster of the organization that has any. */
    async clusterApiKeysByCluster(orgId: string): Promise<Map<string, number>> {
      const groups = await db.clusterApiKey.groupBy({ by: ['clusterId'], where: { orgId }, _count: { _all: true } });
      return new Map(groups.map((g) => [g.clusterId, g._count._all]));
    },
    /** The clusters counted against the organization's limit, oldest first. */
    listClusters: (orgId: string) => db.cluster.findMany({ where: { orgId, status: countedClusters }, orderBy: { id: 'asc' } }),
    /** The latest reading of every broker of the organization's clusters. */
    brokerStatus: (orgId: string) => db.brokerStatus.findMany({ where: { cluster: { orgId } } }),
  };
}
