import type { Db, PageRequest } from '../../repository.ts';

export function clusterApiKeysRepository(db: Db) {
  return {
    create: (orgId: string, clusterId: string, data: { key: string; description: string; secretHash: string }) =>
      db.clusterApiKey.create({ data: { ...data, orgId, clusterId } }),
    get: (orgId: string, clusterId: string, id: string) => db.clusterApiKey.findFirst({ where: { orgId, clusterId, id } }),
    list: (orgId: string, clusterId: string, page: PageRequest) =>
      db.clusterApiKey.findMany({
        where: { orgId, clusterId, ...(page.after ? { id: { gt: page.after } } : {}) },
        orderBy: { id: 'asc' },
        take: page.limit + 1,
      }),
    async update(orgId: string, clusterId: string, id: string, data: { description?: string; ingressBytesPerSecond?: number | null; egressBytesPerSecond?: number | null }): Promise<boolean> {
      const { count } = await db.clusterApiKey.updateMany({ where: { orgId, clusterId, id }, data });
      return count === 1;
    },
    delete: (orgId: string, clusterId: string, id: string) => db.clusterApiKey.deleteMany({ where: { orgId, clusterId, id } }),
  };
}
