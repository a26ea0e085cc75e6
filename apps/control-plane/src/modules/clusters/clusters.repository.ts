import type { ClusterQuotaSettings, KeyQuota } from '@fjord/api';
import { Prisma, type ClusterStatus } from '@fjord/db';
import type { Db, PageRequest } from '../../repository.ts';

export interface NewCluster {
  name: string;
  plan: string;
  region: string;
  host: string;
  port: number;
  brokerTokenHash: string;
}

/** Cluster columns the brokers learn through the cluster config. */
export interface BrokerConfigChange {
  quotaOverrides?: ClusterQuotaSettings;
  /** null: no default for keys. */
  defaultKeyQuota?: KeyQuota | null;
  autoCreateTopics?: boolean;
}

/** Statuses a delete request may move to DELETING from. */
const deletable: ClusterStatus[] = ['PROVISIONING', 'RUNNING', 'FAILED'];

export function clustersRepository(db: Db) {
  return {
    create: (orgId: string, data: NewCluster) => db.cluster.create({ data: { ...data, orgId } }),
    get: (orgId: string, id: string) => db.cluster.findFirst({ where: { orgId, id } }),
    findByName: (orgId: string, name: string) => db.cluster.findFirst({ where: { orgId, name } }),
    list: (orgId: string, page: PageRequest) =>
      db.cluster.findMany({
        where: { orgId, ...(page.after ? { id: { gt: page.after } } : {}) },
        orderBy: { id: 'asc' },
        take: page.limit + 1,
      }),
    /** Moves the cluster to DELETING unless it is already on its way out; says whether it did. */
    async requestDelete(orgId: string, id: string): Promise<boolean> {
      const { count } = await db.cluster.updateMany({ where: { orgId, id, status: { in: deletable } }, data: { status: 'DELETING', failureReason: null } });
      return count === 1;
    },
    /** Tells the brokers a new config exists (they compare versions). */
    bumpConfigVersion: (orgId: string, id: string) => db.cluster.updateMany({ where: { orgId, id }, data: { configVersion: { increment: 1 } } }),
    /** Changes what the brokers enforce (quotas, settings), with a new config version in the same statement. */
    async updateBrokerConfig(orgId: string, id: string, data: BrokerConfigChange): Promise<boolean> {
      const { defaultKeyQuota, ...rest } = data;
      const { count } = await db.cluster.updateMany({
        where: { orgId, id },
        data: {
          ...rest,
          ...(defaultKeyQuota !== undefined && { defaultKeyQuota: defaultKeyQuota ?? Prisma.DbNull }),
          configVersion: { increment: 1 },
        },
      });
      return count === 1;
    },

    // The reconciler and the brokers act for every organization: these lookups establish a tenant
    // from the cluster row instead of taking one.

    /** The config version of each of these clusters that still exists. */
    async configVersions(ids: string[]): Promise<Map<string, number>> {
      const rows = await db.cluster.findMany({ where: { id: { in: ids } }, select: { id: true, configVersion: true } });
      return new Map(rows.map((r) => [r.id, r.configVersion]));
    },
    /** Every cluster the reconciler has to look after. */
    listAll: () => db.cluster.findMany({ orderBy: { id: 'asc' } }),
    resolve: (id: string) => db.cluster.findUnique({ where: { id }, include: { apiKeys: { select: { key: true, secretHash: true, ingressBytesPerSecond: true, egressBytesPerSecond: true }, orderBy: { id: 'asc' } } } }),
    /** Changes a cluster that is still in `from`; a concurrent delete request wins over a reconciler's transition. */
    async transition(orgId: string, id: string, from: ClusterStatus, data: Prisma.ClusterUpdateManyMutationInput): Promise<boolean> {
      const { count } = await db.cluster.updateMany({ where: { orgId, id, status: from }, data });
      return count === 1;
    },
    remove: (orgId: string, id: string) => db.cluster.deleteMany({ where: { orgId, id, status: 'DELETING' } }),
  };
}
